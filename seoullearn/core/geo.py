"""Reference geography: Seoul's 25 autonomous districts (자치구) and distances.

Codes are the administrative district codes of Statistics Korea; coordinates are the district
offices', close enough for "is an offline mentor within reach" questions. Programmes copy this
table into the database (``programmes.District``) so other jurisdictions can add their own.
"""

from __future__ import annotations

import math
from typing import NamedTuple


class DistrictRef(NamedTuple):
    code: str
    slug: str
    name_ko: str
    name_en: str
    lat: float
    lon: float


SEOUL_DISTRICTS: tuple[DistrictRef, ...] = (
    DistrictRef("11110", "jongno", "종로구", "Jongno-gu", 37.5735, 126.9790),
    DistrictRef("11140", "jung", "중구", "Jung-gu", 37.5641, 126.9979),
    DistrictRef("11170", "yongsan", "용산구", "Yongsan-gu", 37.5326, 126.9905),
    DistrictRef("11200", "seongdong", "성동구", "Seongdong-gu", 37.5634, 127.0369),
    DistrictRef("11215", "gwangjin", "광진구", "Gwangjin-gu", 37.5385, 127.0823),
    DistrictRef("11230", "dongdaemun", "동대문구", "Dongdaemun-gu", 37.5744, 127.0396),
    DistrictRef("11260", "jungnang", "중랑구", "Jungnang-gu", 37.6066, 127.0927),
    DistrictRef("11290", "seongbuk", "성북구", "Seongbuk-gu", 37.5894, 127.0167),
    DistrictRef("11305", "gangbuk", "강북구", "Gangbuk-gu", 37.6396, 127.0257),
    DistrictRef("11320", "dobong", "도봉구", "Dobong-gu", 37.6688, 127.0471),
    DistrictRef("11350", "nowon", "노원구", "Nowon-gu", 37.6542, 127.0568),
    DistrictRef("11380", "eunpyeong", "은평구", "Eunpyeong-gu", 37.6027, 126.9291),
    DistrictRef("11410", "seodaemun", "서대문구", "Seodaemun-gu", 37.5791, 126.9368),
    DistrictRef("11440", "mapo", "마포구", "Mapo-gu", 37.5663, 126.9019),
    DistrictRef("11470", "yangcheon", "양천구", "Yangcheon-gu", 37.5170, 126.8665),
    DistrictRef("11500", "gangseo", "강서구", "Gangseo-gu", 37.5509, 126.8495),
    DistrictRef("11530", "guro", "구로구", "Guro-gu", 37.4954, 126.8874),
    DistrictRef("11545", "geumcheon", "금천구", "Geumcheon-gu", 37.4568, 126.8954),
    DistrictRef("11560", "yeongdeungpo", "영등포구", "Yeongdeungpo-gu", 37.5264, 126.8962),
    DistrictRef("11590", "dongjak", "동작구", "Dongjak-gu", 37.5124, 126.9393),
    DistrictRef("11620", "gwanak", "관악구", "Gwanak-gu", 37.4784, 126.9516),
    DistrictRef("11650", "seocho", "서초구", "Seocho-gu", 37.4837, 127.0324),
    DistrictRef("11680", "gangnam", "강남구", "Gangnam-gu", 37.5172, 127.0473),
    DistrictRef("11710", "songpa", "송파구", "Songpa-gu", 37.5145, 127.1059),
    DistrictRef("11740", "gangdong", "강동구", "Gangdong-gu", 37.5301, 127.1238),
)

SEOUL_DISTRICT_CODES: frozenset[str] = frozenset(d.code for d in SEOUL_DISTRICTS)
DISTRICTS_BY_CODE: dict[str, DistrictRef] = {d.code: d for d in SEOUL_DISTRICTS}


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in kilometres."""
    r = 6371.0
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp = p2 - p1
    dl = math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(math.sqrt(a))


def district_distance_km(code_a: str, code_b: str) -> float:
    a, b = DISTRICTS_BY_CODE[code_a], DISTRICTS_BY_CODE[code_b]
    return haversine_km(a.lat, a.lon, b.lat, b.lon)
