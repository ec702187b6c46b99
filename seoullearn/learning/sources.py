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

from seoullearn.activities import selectors as activity_selectors
from seoullearn.activities.models import CareerApplication, ConsultingBooking, LectureRegistration
from seoullearn.core.roles import Role
from seoullearn.core.timeutil import SEOUL
from seoullearn.learning import planner
from seoullearn.learning.progress import ActivityRecord

PLATFORM_ACTIVITY_MARK = "/xapi/activities/"


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


def selected_offerings(learner: Any) -> list[planner.Offering]:
    """The offerings the learner holds a seat for, with the subjects each covers."""
    reader = _reader("seoullearn.enrollment.selectors", "active_selections")
    if reader is None:
        return []
    offerings = []
    for selection in reader(learner):
        offering = getattr(selection, "offering", selection)
        subjects = tuple(getattr(offering, "subjects", None) or ())
        offerings.append(
            planner.Offering(
                key=str(getattr(offering, "code", getattr(offering, "public_id", ""))),
                name=str(offering),
                subjects=subjects,
            )
        )
    return offerings


def usage_records(learner: Any, start: dt.date, end: dt.date) -> list[ActivityRecord]:
    reader = _reader("seoullearn.enrollment.selectors", "usage_for_learner")
    if reader is None:
        return []
    records = []
    for row in reader(learner, start=start, end=end):
        records.append(
            ActivityRecord(
                day=row.day,
                minutes=int(row.minutes or 0),
                offering_key=str(getattr(row.offering, "code", row.offering)),
                offering_name=str(row.offering),
                kind="time",
                source="usage",
            )
        )
        for _i in range(int(getattr(row, "completions", 0) or 0)):
            records.append(
                ActivityRecord(
                    day=row.day,
                    minutes=0,
                    offering_key=str(getattr(row.offering, "code", row.offering)),
                    offering_name=str(row.offering),
                    kind="completion",
                    source="usage",
                )
            )
    return records


# --- the learning record store ----------------------------------------------------------------


def lrs_records(learner: Any, start: dt.date, end: dt.date) -> list[ActivityRecord]:
    """Time, completions and scores from xAPI statements about the learner. The platform's own
    statements are skipped here because ``platform_records`` counts them from the source."""
    reader = _reader("seoullearn.lrs.selectors", "learner_activity_records")
    if reader is None:
        return []
    since, until = _day_bounds(start, end)
    records = []
    for row in reader(learner, since=since, until=until):
        if PLATFORM_ACTIVITY_MARK in str(getattr(row, "activity_id", "")):
            continue
        records.append(
            ActivityRecord(
                day=_local_day(row.timestamp),
                minutes=int(getattr(row, "minutes", 0) or 0),
                offering_key=str(getattr(row, "offering_key", "") or ""),
                offering_name=str(getattr(row, "offering_name", "") or ""),
                kind=str(getattr(row, "kind", "time")),
                source="lrs",
                score=getattr(row, "score", None),
            )
        )
    return records


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


def lrs_achievements(learner: Any) -> list[dict[str, Any]]:
    """Completions and assessment results recorded by providers in the xAPI store."""
    reader = _reader("seoullearn.lrs.selectors", "learner_achievements")
    return list(reader(learner)) if reader is not None else []


def installed_sources() -> dict[str, bool]:
    """Which sources this deployment reads (shown on the progress page)."""
    return {
        "lrs": _reader("seoullearn.lrs.selectors", "learner_activity_records") is not None,
        "usage": _reader("seoullearn.enrollment.selectors", "usage_for_learner") is not None,
        "offerings": _reader("seoullearn.enrollment.selectors", "active_selections") is not None,
        "mentoring": _reader("seoullearn.mentoring.selectors", "is_mentor_of") is not None,
    }
