"""Everything the workspace reads from other apps, in one place.

The plan, progress and portfolio need the learner's selected offerings and providers' usage
reports (``enrollment``), xAPI statements (``lrs``), mentoring sessions and the mentor relation
(``mentoring``) and the city's own programmes (``activities``). Each reader below turns the
other app's data into the plain values of ``learning.planner`` and ``learning.progress``, so the
rest of this app never depends on another app's models. An app that a deployment does not
install contributes nothing.
"""

from __future__ import annotations

import datetime as dt
import importlib
from types import ModuleType
from typing import Any

from django.utils.translation import gettext_lazy as _

from seoullearn.activities import selectors as activity_selectors
from seoullearn.activities.models import CareerApplication, ConsultingBooking, LectureRegistration
from seoullearn.core.errors import NotFound
from seoullearn.core.roles import Role
from seoullearn.core.timeutil import SEOUL
from seoullearn.learning import planner
from seoullearn.learning.models import Subject
from seoullearn.learning.progress import ActivityRecord
from seoullearn.programmes.selectors import current_programme


def _optional(module_name: str) -> ModuleType | None:
    try:
        return importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name == module_name:
            return None
        raise


def _reader(module_name: str, name: str) -> Any | None:
    module = _optional(module_name)
    reader = getattr(module, name, None) if module is not None else None
    return reader if callable(reader) else None


def _day_bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    return (
        dt.datetime.combine(start, dt.time.min, tzinfo=SEOUL),
        dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=SEOUL),
    )


def _local_day(value: dt.datetime) -> dt.date:
    return value.astimezone(SEOUL).date()


# --- offerings and providers (enrollment) -----------------------------------------------------


def _current_programme() -> Any | None:
    try:
        return current_programme()
    except NotFound:
        return None


def provider_key(provider: Any) -> str:
    """Progress is counted per provider: the record store knows the provider (through the
    client that sent a statement), usage reports too, and both describe the same learning."""
    return str(getattr(provider, "code", "") or provider)


# The catalogue names subjects as operators write them; the planner uses our subject codes.
SUBJECT_NAMES = {
    "국어": ("korean",),
    "수학": ("math",),
    "영어": ("english",),
    "토익": ("english", "certificate"),
    "과학": ("science",),
    "사회": ("social",),
    "탐구": ("science", "social"),
    "한국사": ("history",),
    "한국사능력검정": ("history", "certificate"),
    "코딩": ("coding",),
    "정보": ("coding",),
    "컴퓨터활용능력": ("coding", "certificate"),
    "독서": ("reading",),
    "오디오북": ("reading",),
    "강연": ("reading",),
}


def subject_codes(values: Any) -> tuple[str, ...]:
    """Our subject codes for a catalogue's subject names or codes (unknown ones are dropped)."""
    codes: list[str] = []
    for value in values or ():
        text = str(value).strip()
        found = (text,) if text in Subject.values else SUBJECT_NAMES.get(text, ())
        if not found and text:
            found = ("certificate",) if text.endswith(("자격증", "기능사", "기사")) else ()
        codes.extend(c for c in found if c not in codes)
    return tuple(codes)


def selected_offerings(learner: Any) -> list[planner.Offering]:
    """The offerings the learner holds an active seat for, with the subjects each covers."""
    reader = _reader("seoullearn.enrollment.selectors", "held_selections")
    programme = _current_programme()
    if reader is None or programme is None:
        return []
    offerings = []
    for selection in reader(learner, programme):
        if getattr(selection, "status", "active") != "active":
            continue
        offering = selection.offering
        offerings.append(
            planner.Offering(
                key=provider_key(offering.provider),
                name=str(offering.provider),
                subjects=subject_codes(offering.subjects),
            )
        )
    return offerings


def usage_records(learner: Any, start: dt.date, end: dt.date) -> list[ActivityRecord]:
    """Providers' daily usage reports (minutes, lessons completed) for the learner's seats."""
    module = _optional("seoullearn.enrollment.models")
    usage = getattr(module, "UsageRecord", None) if module is not None else None
    if usage is None:
        return []
    records = []
    rows = usage.objects.select_related("provider").filter(
        seat__user=learner, day__gte=start, day__lte=end
    )
    for row in rows:
        key, name = provider_key(row.provider), str(row.provider)
        records.append(ActivityRecord(row.day, int(row.minutes), key, name, "time", "usage"))
        records.extend(
            ActivityRecord(row.day, 0, key, name, "completion", "usage")
            for _i in range(int(row.lessons_completed or 0))
        )
    return records


# --- the learning record store ----------------------------------------------------------------

COMPLETED_VERBS = frozenset(
    {"http://adlnet.gov/expapi/verbs/completed", "http://adlnet.gov/expapi/verbs/passed"}
)


def _score(result: dict[str, Any]) -> float | None:
    scaled = (result.get("score") or {}).get("scaled")
    if isinstance(scaled, int | float) and not isinstance(scaled, bool):
        return round(max(0.0, min(1.0, float(scaled))) * 100, 1)
    return None


def lrs_records(learner: Any, start: dt.date, end: dt.date) -> list[ActivityRecord]:
    """Time (``result.duration``), completions and scores from providers' xAPI statements about
    the learner. The platform's own statements are skipped: ``platform_records`` counts those
    programmes from their source rows."""
    models = _optional("seoullearn.lrs.models")
    selectors = _optional("seoullearn.lrs.selectors")
    if models is None or selectors is None or not hasattr(selectors, "member_actor_key"):
        return []
    since, until = _day_bounds(start, end)
    rows = (
        models.Statement.objects.select_related("client__provider")
        .filter(
            actor_key=selectors.member_actor_key(learner),
            voided=False,
            is_voiding=False,
            timestamp__gte=since,
            timestamp__lt=until,
        )
        .order_by("timestamp", "pk")
    )
    records: list[ActivityRecord] = []
    completed: set[tuple[dt.date, str]] = set()
    for row in rows:
        client = row.client
        if client is not None and client.is_platform:
            continue
        payload = row.payload
        provider = getattr(client, "provider", None)
        if provider is not None:
            key, name = provider_key(provider), str(provider)
        else:
            platform = str((payload.get("context") or {}).get("platform") or "")
            key, name = f"xapi:{platform}", platform
        day = _local_day(row.timestamp)
        result = payload.get("result") or {}
        seconds = selectors.duration_seconds(str(result.get("duration", "")))
        if seconds:
            records.append(ActivityRecord(day, round(seconds / 60), key, name, "time", "lrs"))
        activity = str((payload.get("object") or {}).get("id", ""))
        verb = str((payload.get("verb") or {}).get("id", ""))
        if (result.get("completion") is True or verb in COMPLETED_VERBS) and (
            day,
            activity,
        ) not in completed:
            completed.add((day, activity))
            records.append(ActivityRecord(day, 0, key, name, "completion", "lrs"))
        score = _score(result)
        if score is not None:
            records.append(ActivityRecord(day, 0, key, name, "assessment", "lrs", score))
    return records


def lrs_achievements(learner: Any) -> list[dict[str, Any]]:
    """What providers recorded in the xAPI store, as portfolio entries: each scored assessment
    on its own, and completed lessons gathered per provider and month (a portfolio lists
    achievements, not every lesson)."""
    models = _optional("seoullearn.lrs.models")
    selectors = _optional("seoullearn.lrs.selectors")
    if models is None or selectors is None or not hasattr(selectors, "member_actor_key"):
        return []
    rows = (
        models.Statement.objects.select_related("client__provider")
        .filter(actor_key=selectors.member_actor_key(learner), voided=False, is_voiding=False)
        .order_by("timestamp")
    )
    assessments: dict[str, dict[str, Any]] = {}
    months: dict[tuple[str, str], dict[str, Any]] = {}
    for row in rows:
        client = row.client
        if client is not None and client.is_platform:
            continue
        payload = row.payload
        result = payload.get("result") or {}
        verb = str((payload.get("verb") or {}).get("id", ""))
        obj = payload.get("object") or {}
        activity = str(obj.get("id", ""))
        if not activity or not (result.get("completion") is True or verb in COMPLETED_VERBS):
            continue
        provider = getattr(client, "provider", None)
        provider_name = str(provider) if provider is not None else "xAPI"
        evidence = str(_("%(provider)s 학습 기록 (xAPI)") % {"provider": provider_name})
        day = _local_day(row.timestamp)
        score = _score(result)
        if score is not None:
            names = (obj.get("definition") or {}).get("name") or {}
            title = str(names.get("ko-KR") or next(iter(names.values()), activity))
            assessments[activity] = {
                "kind": "assessment",
                "source_key": f"xapi:{activity}"[:200],
                "title": f"{provider_name} · {title}"[:200],
                "detail": str(_("점수 %(score)s점") % {"score": score}),
                "occurred_on": day,
                "evidence": evidence,
            }
            continue
        month = day.strftime("%Y-%m")
        key = (provider_key(provider) if provider is not None else "xapi", month)
        entry = months.setdefault(
            key,
            {
                "kind": "completion",
                "source_key": f"xapi-month:{key[0]}:{month}",
                "activities": set(),
                "provider": provider_name,
                "month": month,
                "occurred_on": day,
                "evidence": evidence,
            },
        )
        entry["activities"].add(activity)
        entry["occurred_on"] = max(entry["occurred_on"], day)
    items = list(assessments.values())
    for entry in months.values():
        count = len(entry.pop("activities"))
        items.append(
            {
                **{k: v for k, v in entry.items() if k not in ("provider", "month")},
                "title": str(
                    _("%(provider)s · %(month)s 학습 %(n)s개 완료")
                    % {"provider": entry["provider"], "month": entry["month"], "n": count}
                ),
                "detail": "",
            }
        )
    return items


# --- mentoring --------------------------------------------------------------------------------


def is_mentor_of(mentor: Any, learner: Any) -> bool:
    """True while ``mentor`` mentors ``learner`` (decided by the mentoring app's matches)."""
    if not getattr(mentor, "is_authenticated", False) or mentor.role != Role.MENTOR:
        return False
    reader = _reader("seoullearn.mentoring.selectors", "is_mentor_of")
    return bool(reader(mentor, learner)) if reader is not None else False


def mentees_of(mentor: Any) -> list[Any]:
    if not getattr(mentor, "is_authenticated", False) or mentor.role != Role.MENTOR:
        return []
    reader = _reader("seoullearn.mentoring.selectors", "mentees_of")
    return list(reader(mentor)) if reader is not None else []


def mentoring_events(learner: Any, start: dt.date, end: dt.date) -> list[planner.FixedEvent]:
    reader = _reader("seoullearn.mentoring.selectors", "sessions_for_learner")
    if reader is None:
        return []
    since, until = _day_bounds(start, end)
    events = []
    for session in reader(learner, since=since, until=until):
        events.append(
            planner.FixedEvent(
                day=_local_day(session.starts_at),
                minutes=int(getattr(session, "duration_minutes", 60) or 60),
                kind="mentoring",
                title=str(getattr(session, "title", "") or ""),
                ref=str(session.public_id),
            )
        )
    return events


def mentoring_achievements(learner: Any) -> list[dict[str, Any]]:
    reader = _reader("seoullearn.mentoring.selectors", "achievements_for_learner")
    return list(reader(learner)) if reader is not None else []


# --- the city's own programmes (activities) ---------------------------------------------------


def programme_events(learner: Any, start: dt.date, end: dt.date) -> list[planner.FixedEvent]:
    since, until = _day_bounds(start, end)
    raw = [
        *activity_selectors.consulting_events(learner, start=since, end=until),
        *activity_selectors.lecture_events(learner, start=since, end=until),
        *activity_selectors.career_events(learner, start=since, end=until),
    ]
    return [
        planner.FixedEvent(
            day=_local_day(e["at"]),
            minutes=int(e["minutes"]),
            kind=e["kind"],
            title=str(e["title"]),
            ref=e["ref"],
        )
        for e in raw
    ]


def programme_quotas(learner: Any, start: dt.date, end: dt.date) -> list[planner.QuotaOffer]:
    offers = [
        planner.QuotaOffer(
            key=a.service.code, kind="consulting", title=a.service.name, remaining=a.remaining
        )
        for a in activity_selectors.services_for(learner)
        if a.eligible
    ]
    since, until = _day_bounds(start, end + dt.timedelta(days=14))
    for lecture in activity_selectors.upcoming_lectures_open(learner, start=since, end=until):
        offers.append(
            planner.QuotaOffer(
                key=str(lecture.public_id), kind="lecture", title=lecture.title, remaining=1
            )
        )
    return offers


def platform_records(learner: Any, start: dt.date, end: dt.date) -> list[ActivityRecord]:
    """Consulting sessions held, lectures attended and career stages completed."""
    since, until = _day_bounds(start, end)
    records = []
    for b in ConsultingBooking.objects.select_related("slot", "service").filter(
        learner=learner,
        status=ConsultingBooking.Status.COMPLETED,
        slot__starts_at__gte=since,
        slot__starts_at__lt=until,
    ):
        records.append(
            ActivityRecord(
                day=_local_day(b.slot.starts_at),
                minutes=b.service.duration_minutes,
                offering_key="",
                offering_name="",
                kind="time",
                source="platform",
            )
        )
    for r in LectureRegistration.objects.select_related("lecture").filter(
        learner=learner, attended_at__gte=since, attended_at__lt=until
    ):
        records.append(
            ActivityRecord(
                day=_local_day(r.lecture.starts_at),
                minutes=r.lecture.duration_minutes,
                offering_key="",
                offering_name="",
                kind="time",
                source="platform",
            )
        )
    for application in CareerApplication.objects.filter(learner=learner).prefetch_related(
        "stage_completions"
    ):
        for completion in application.stage_completions.all():
            if since <= completion.completed_at < until:
                records.append(
                    ActivityRecord(
                        day=_local_day(completion.completed_at),
                        minutes=0,
                        offering_key="",
                        offering_name="",
                        kind="completion",
                        source="platform",
                    )
                )
    return records


def programme_achievements(learner: Any) -> list[dict[str, Any]]:
    return activity_selectors.achievements(learner)


def installed_sources() -> dict[str, bool]:
    """Which sources this deployment reads (shown on the progress page)."""
    return {
        "lrs": _reader("seoullearn.lrs.selectors", "member_actor_key") is not None,
        "usage": _optional("seoullearn.enrollment.models") is not None,
        "offerings": _reader("seoullearn.enrollment.selectors", "held_selections") is not None,
        "mentoring": _reader("seoullearn.mentoring.selectors", "is_mentor_of") is not None,
    }
