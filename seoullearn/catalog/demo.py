"""Demo catalog: the seed document's 14 offerings of 11 providers (logos are generated marks)."""

from __future__ import annotations

import datetime as dt

from seoullearn.catalog.models import Offering, Provider, SelectionPolicy, Track
from seoullearn.core.demo import DemoContext
from seoullearn.core.errors import NotFound
from seoullearn.programmes.models import BudgetLine, Jurisdiction, Programme
from seoullearn.programmes.selectors import current_programme

PROVIDERS = [
    # code, name_ko, name_en, logo text, colour
    ("homelearn", "아이스크림 홈런", "i-Scream Home-Learn", "홈런", "#e8453c"),
    ("elihigh", "엘리하이", "Elihigh", "엘리", "#7a3fc4"),
    ("milkt", "밀크T", "Milk T", "밀크T", "#1c9c6b"),
    ("mbest", "엠베스트", "Mbest", "M", "#0b50d0"),
    ("soobakc", "수박씨", "Soobakc", "수박", "#2f8f3a"),
    ("megastudy", "메가스터디", "Megastudy", "메가", "#17324d"),
    ("mimac", "대성마이맥", "Daesung Mimac", "마이맥", "#c2185b"),
    ("etoos", "이투스", "Etoos", "E", "#f39c12"),
    ("eduwill", "에듀윌", "Eduwill", "에듀윌", "#f2c200"),
    ("hackers", "해커스", "Hackers", "H", "#222222"),
    ("welaaa", "윌라", "Welaaa", "윌라", "#5b6cff"),
]

OFFERINGS = [
    # track, provider, title_ko, title_en, levels, subjects
    (
        "elementary",
        "homelearn",
        "아이스크림 홈런 초등",
        "Home-Learn elementary",
        ["elementary"],
        ["국어", "수학", "사회", "과학", "영어"],
    ),
    (
        "elementary",
        "elihigh",
        "엘리하이 초등",
        "Elihigh elementary",
        ["elementary"],
        ["국어", "수학", "영어"],
    ),
    (
        "elementary",
        "milkt",
        "밀크T 초등",
        "Milk T elementary",
        ["elementary"],
        ["국어", "수학", "사회", "과학", "영어"],
    ),
    (
        "middle",
        "mbest",
        "엠베스트 중등",
        "Mbest middle school",
        ["middle"],
        ["국어", "영어", "수학", "사회", "과학"],
    ),
    (
        "middle",
        "soobakc",
        "수박씨 중등",
        "Soobakc middle school",
        ["middle"],
        ["국어", "영어", "수학", "과학"],
    ),
    (
        "middle",
        "milkt",
        "밀크T 중학",
        "Milk T middle school",
        ["middle"],
        ["국어", "영어", "수학", "사회", "과학"],
    ),
    (
        "high",
        "megastudy",
        "메가스터디 고등",
        "Megastudy high school",
        ["high"],
        ["국어", "수학", "영어", "탐구"],
    ),
    ("high", "milkt", "밀크T 고등", "Milk T high school", ["high"], ["국어", "수학", "영어"]),
    (
        "high",
        "mimac",
        "대성마이맥 고등",
        "Daesung Mimac high school",
        ["high"],
        ["국어", "수학", "영어", "탐구"],
    ),
    (
        "high",
        "etoos",
        "이투스 고등",
        "Etoos high school",
        ["high"],
        ["국어", "수학", "영어", "탐구"],
    ),
    (
        "ged",
        "eduwill",
        "에듀윌 검정고시",
        "Eduwill GED",
        ["out_of_school", "adult"],
        ["국어", "수학", "영어", "사회", "과학", "한국사"],
    ),
    (
        "certificate",
        "eduwill",
        "에듀윌 자격증",
        "Eduwill certificates",
        ["high", "out_of_school", "adult"],
        ["컴퓨터활용능력", "한국사능력검정", "공인중개사"],
    ),
    (
        "certificate",
        "hackers",
        "해커스 자격증·어학",
        "Hackers certificates and languages",
        ["high", "out_of_school", "adult"],
        ["토익", "컴퓨터활용능력", "한국사능력검정"],
    ),
    ("reading", "welaaa", "윌라 오디오북", "Welaaa audiobooks", [], ["독서", "오디오북", "강연"]),
]

CONTENT_BUDGET_KRW = 7_790_000_000


def demo_programme(ctx: DemoContext) -> Programme:
    """The current programme; created here only when no earlier app made one."""
    try:
        programme = current_programme()
    except NotFound:
        year = ctx.today.year
        programme, _ = Programme.objects.get_or_create(
            code=f"seoul-{year}",
            defaults={
                "jurisdiction": Jurisdiction.objects.get(slug="seoul"),
                "name": f"서울런 {year}",
                "year": year,
                "starts_on": dt.date(year, 1, 1),
                "ends_on": dt.date(year, 12, 31),
            },
        )
    BudgetLine.objects.get_or_create(
        programme=programme,
        kind=BudgetLine.Kind.CONTENT,
        defaults={"amount_krw": CONTENT_BUDGET_KRW},
    )
    return programme


def seed(ctx: DemoContext) -> None:
    programme = demo_programme(ctx)
    tracks = {t.code: t for t in Track.objects.all()}
    providers: dict[str, Provider] = {}
    for code, name_ko, name_en, logo, colour in PROVIDERS:
        providers[code], _ = Provider.objects.update_or_create(
            code=code,
            defaults={
                "name_ko": name_ko,
                "name_en": name_en,
                "logo_text": logo,
                "brand_color": colour,
                "description_ko": f"{name_ko}의 온라인 학습 서비스 (서울런 제휴)",
                "description_en": f"Online learning by {name_en} (Seoul Learn partner)",
            },
        )
    offerings = []
    for order, (track, provider, title_ko, title_en, levels, subjects) in enumerate(OFFERINGS):
        offering, _ = Offering.objects.update_or_create(
            provider=providers[provider],
            track=tracks[track],
            defaults={
                "title_ko": title_ko,
                "title_en": title_en,
                "description_ko": f"{title_ko}: 동영상 강의, 문제 풀이, 학습 관리",
                "description_en": f"{title_en}: video lessons, practice and study coaching",
                "target_levels": levels,
                "subjects": subjects,
                "order": order,
            },
        )
        offerings.append(offering)
    SelectionPolicy.objects.get_or_create(programme=programme)
    ctx.shared["programme"] = programme
    ctx.shared["providers"] = providers
    ctx.shared["offerings"] = offerings
