"""The Seoul Learn xAPI profile: verbs, activity types and extensions (``docs/xapi-profile.md``).

Providers report with these identifiers; the platform's own apps record mentoring sessions,
consulting and lectures with ``services.platform_statement_record`` and the constants here.
Identifiers are IRIs under the programme's namespace (they identify, they need not resolve),
and established ones (ADL verbs and activity types, cmi5 progress) where they exist.
"""

from __future__ import annotations

from typing import Any

BASE = "https://slearn.seoul.go.kr/xapi"
PROFILE_ID = f"{BASE}/profile"

ADL_VERBS = "http://adlnet.gov/expapi/verbs"
VERBS: dict[str, tuple[str, str, str]] = {
    # name: (IRI, Korean display, English display)
    "launched": (f"{ADL_VERBS}/launched", "시작함", "launched"),
    "initialized": (f"{ADL_VERBS}/initialized", "초기화함", "initialized"),
    "progressed": (f"{ADL_VERBS}/progressed", "진행함", "progressed"),
    "completed": (f"{ADL_VERBS}/completed", "완료함", "completed"),
    "passed": (f"{ADL_VERBS}/passed", "통과함", "passed"),
    "failed": (f"{ADL_VERBS}/failed", "통과하지 못함", "failed"),
    "answered": (f"{ADL_VERBS}/answered", "답함", "answered"),
    "terminated": (f"{ADL_VERBS}/terminated", "종료함", "terminated"),
    "attended": (f"{ADL_VERBS}/attended", "참석함", "attended"),
    "experienced": (f"{ADL_VERBS}/experienced", "경험함", "experienced"),
    "registered": (f"{ADL_VERBS}/registered", "신청함", "registered"),
    "mentored": (f"{BASE}/verbs/mentored", "멘토링함", "mentored"),
    "consulted": (f"{BASE}/verbs/consulted", "상담함", "consulted"),
}

ACTIVITY_COURSE = "http://adlnet.gov/expapi/activities/course"
ACTIVITY_LESSON = "http://adlnet.gov/expapi/activities/lesson"
ACTIVITY_MODULE = "http://adlnet.gov/expapi/activities/module"
ACTIVITY_ASSESSMENT = "http://adlnet.gov/expapi/activities/assessment"
ACTIVITY_QUESTION = "http://adlnet.gov/expapi/activities/cmi.interaction"
ACTIVITY_MEDIA = "http://adlnet.gov/expapi/activities/media"
ACTIVITY_MENTORING_SESSION = f"{BASE}/activity-types/mentoring-session"
ACTIVITY_CONSULTING_SESSION = f"{BASE}/activity-types/consulting-session"
ACTIVITY_SPECIAL_LECTURE = f"{BASE}/activity-types/special-lecture"
ACTIVITY_CAREER_PROGRAMME = f"{BASE}/activity-types/career-programme"

# cmi5's progress extension: percent (0–100) of the Activity done.
EXT_PROGRESS = "https://w3id.org/xapi/cmi5/result/extensions/progress"
EXT_MODE = f"{BASE}/extensions/mode"  # "online" | "offline"
EXT_SUBJECT = f"{BASE}/extensions/subject"  # curriculum subject code, e.g. "math"
EXT_SCHOOL_LEVEL = f"{BASE}/extensions/school-level"  # elementary | middle | high | ...
EXT_SESSION_KIND = f"{BASE}/extensions/session-kind"  # consulting: study | admissions | ...
EXT_GROUP = f"{BASE}/extensions/mentoring-group"  # opaque id of a mentoring group


def verb(name: str) -> dict[str, Any]:
    iri, korean, english = VERBS[name]
    return {"id": iri, "display": {"ko-KR": korean, "en-US": english}}


def activity_iri(kind: str, identifier: str) -> str:
    """IRI of a platform Activity, e.g. ``activity_iri("mentoring-sessions", str(uuid))``."""
    return f"{BASE}/activities/{kind}/{identifier}"
