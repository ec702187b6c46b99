"""Reads of the mentoring app, with the object-level checks views and the API share."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Avg, Count, Max, Min, Q, QuerySet, Sum
from django.db.models.functions import Length
from django.utils.translation import gettext as _

from seoullearn.core.geo import SEOUL_DISTRICTS
from seoullearn.core.roles import Role
from seoullearn.core.timeutil import SEOUL, add_months, today
from seoullearn.mentoring import matching
from seoullearn.mentoring.models import (
    Attendance,
    CheckIn,
    EndReason,
    ExitSurvey,
    Match,
    MenteeApplication,
    MentorApplication,
    MentoringGroup,
    MentorTerm,
    Session,
    TrainingModule,
    TrainingRecord,
    UniversityCoordinator,
)

REQUIRED_BEFORE_MATCHING = (TrainingModule.Kind.PRE_TRAINING, TrainingModule.Kind.ORIENTATION)


def current_term() -> MentorTerm | None:
    day = today()
    qs = MentorTerm.objects.select_related("programme")
    return qs.filter(starts_on__lte=day, ends_on__gte=day).first() or qs.first()


# --- screening ---------------------------------------------------------------------------------


def coordinator_university_id(user: Any) -> int | None:
    if not getattr(user, "is_authenticated", False) or user.role != Role.UNIVERSITY_COORDINATOR:
        return None
    link = UniversityCoordinator.objects.filter(user=user).first()
    return link.university_id if link else None


def coordinator_may_see(user: Any, application: MentorApplication) -> bool:
    uid = coordinator_university_id(user)
    return uid is not None and uid == application.university_id


def applications_for_coordinator(user: Any) -> QuerySet[MentorApplication]:
    uid = coordinator_university_id(user)
    qs = MentorApplication.objects.select_related("user", "term", "university")
    return qs.filter(university_id=uid) if uid is not None else qs.none()


def checks_valid(application: MentorApplication, *, on: dt.date) -> bool:
    passed = MentorApplication.CheckStatus.PASSED
    return bool(
        application.reference_status == passed
        and application.background_status == passed
        and application.reference_valid_until
        and application.reference_valid_until >= on
        and application.background_valid_until
        and application.background_valid_until >= on
    )


# --- training ----------------------------------------------------------------------------------


def training_status(mentor: MentorApplication) -> dict[str, bool]:
    """For each module kind required before matching: is every such module completed?"""
    result = {}
    for kind in REQUIRED_BEFORE_MATCHING:
        modules = TrainingModule.objects.filter(term_id=mentor.term_id, kind=kind)
        total = modules.count()
        done = TrainingRecord.objects.filter(
            mentor=mentor, module__in=modules, completed_at__isnull=False
        ).count()
        result[str(kind)] = total > 0 and done == total
    return result


def mentor_ready(mentor: MentorApplication) -> bool:
    """Selected, checks still valid, pre-training and orientation complete."""
    return (
        mentor.status == MentorApplication.Status.SELECTED
        and checks_valid(mentor, on=today())
        and all(training_status(mentor).values())
    )


def ready_mentors(term: MentorTerm) -> list[MentorApplication]:
    day = today()
    selected = MentorApplication.objects.filter(
        term=term,
        status=MentorApplication.Status.SELECTED,
        reference_status="passed",
        background_status="passed",
        reference_valid_until__gte=day,
        background_valid_until__gte=day,
    ).select_related("user", "university")
    required = TrainingModule.objects.filter(term=term, kind__in=REQUIRED_BEFORE_MATCHING)
    n_required = required.count()
    if n_required == 0:
        return []
    done = (
        TrainingRecord.objects.filter(module__in=required, completed_at__isnull=False)
        .values("mentor_id")
        .annotate(n=Count("id"))
    )
    complete = {row["mentor_id"] for row in done if row["n"] == n_required}
    return [m for m in selected if m.pk in complete]


def monthly_compliance(term: MentorTerm, month: dt.date) -> list[dict[str, Any]]:
    """Selected mentors and whether they completed the monthly training of ``month``."""
    modules = TrainingModule.objects.filter(
        term=term,
        kind=TrainingModule.Kind.MONTHLY,
        held_on__year=month.year,
        held_on__month=month.month,
    )
    done = set(
        TrainingRecord.objects.filter(module__in=modules, completed_at__isnull=False).values_list(
            "mentor_id", flat=True
        )
    )
    mentors = MentorApplication.objects.filter(
        term=term, status=MentorApplication.Status.SELECTED
    ).select_related("user", "university")
    return [
        {"mentor": m, "completed": m.pk in done, "has_module": modules.exists()} for m in mentors
    ]


# --- matching inputs ---------------------------------------------------------------------------


def matching_options(
    term: MentorTerm, *, fairness: bool = False, cohesion: bool = False
) -> matching.Options:
    return matching.Options(
        max_distance_km=term.max_distance_km,
        district_coords={d.code: (d.lat, d.lon) for d in SEOUL_DISTRICTS},
        fairness=fairness,
        cohesion=cohesion,
    )


def learner_input(app: MenteeApplication) -> matching.LearnerIn:
    return matching.LearnerIn(
        key=str(app.public_id),
        school_level=app.school_level,
        grade=app.grade,
        subjects=frozenset(app.subjects),
        desired_major=app.desired_major,
        interests=frozenset(app.interests),
        mode=app.mode,
        district=app.district_code,
        availability=frozenset(app.availability),
        languages=frozenset(app.languages),
        mentor_gender=app.mentor_gender,
        previous_mentor=str(app.previous_mentor.public_id) if app.previous_mentor else "",
        excluded_mentors=frozenset(str(m.public_id) for m in app.excluded_mentors.all()),
    )


def mentor_input(app: MentorApplication, capacity: int | None = None) -> matching.MentorIn:
    return matching.MentorIn(
        key=str(app.public_id),
        capacity=app.capacity if capacity is None else capacity,
        school_levels=frozenset(app.school_levels),
        subjects=frozenset(app.subjects),
        major_field=app.major_field,
        interests=frozenset(app.interests),
        mode=app.mode,
        districts=frozenset(app.districts),
        availability=frozenset(app.availability),
        languages=frozenset(app.languages),
        gender=app.gender,
    )


def matching_inputs(
    term: MentorTerm, *, fairness: bool, cohesion: bool
) -> tuple[
    list[matching.LearnerIn],
    list[matching.MentorIn],
    matching.Options,
    dict[str, MenteeApplication],
    dict[str, MentorApplication],
]:
    """Waiting mentees and ready mentors with their remaining places."""
    mentees = list(
        MenteeApplication.objects.filter(term=term, status=MenteeApplication.Status.SUBMITTED)
        .select_related("previous_mentor")
        .prefetch_related("excluded_mentors")
        .order_by("created_at")
    )
    mentors = ready_mentors(term)
    taken = dict(
        Match.objects.filter(group__term=term, status=Match.Status.ACTIVE)
        .values_list("group__mentor_id")
        .annotate(n=Count("id"))
    )
    learners_in = [learner_input(m) for m in mentees]
    mentors_in = [mentor_input(m, max(0, m.capacity - taken.get(m.pk, 0))) for m in mentors]
    return (
        learners_in,
        mentors_in,
        matching_options(term, fairness=fairness, cohesion=cohesion),
        {str(m.public_id): m for m in mentees},
        {str(m.public_id): m for m in mentors},
    )


# --- activity ----------------------------------------------------------------------------------


def mentor_groups(user: Any) -> QuerySet[MentoringGroup]:
    return MentoringGroup.objects.filter(mentor__user=user).select_related("mentor", "term")


def mentee_matches(user: Any) -> QuerySet[Match]:
    return Match.objects.filter(mentee__user=user).select_related(
        "group__mentor__user", "group__mentor__university"
    )


def session_statements(session: Session) -> list[dict[str, Any]]:
    """xAPI statements for a logged session, in the keyword form the record store's
    ``platform_statement_record`` takes (verbs and activity types of docs/xapi-profile.md)."""
    base = "https://slearn.seoul.go.kr/xapi"
    activity_id = f"{base}/activities/mentoring-sessions/{session.public_id}"
    duration = f"PT{session.duration_minutes}M"
    common: dict[str, Any] = {
        "activity_id": activity_id,
        "activity_type": f"{base}/activity-types/mentoring-session",
        "activity_name": {"ko-KR": session.topic},
        "result": {"duration": duration},
        "context_extensions": {
            f"{base}/extensions/mode": session.mode,
            f"{base}/extensions/mentoring-group": str(session.group.public_id),
        },
        "timestamp": session.logged_at,
    }
    mentor = session.group.mentor.user
    statements = [
        {
            **common,
            "user": mentor,
            "verb_id": f"{base}/verbs/mentored",
            "verb_display": {"ko-KR": "멘토링함", "en-US": "mentored"},
            "statement_id": uuid.uuid5(uuid.NAMESPACE_URL, f"{activity_id}|{mentor.pseudonym}"),
        }
    ]
    for att in session.attendance.select_related("match__mentee__user"):
        if att.attended:
            learner = att.match.mentee.user
            statements.append(
                {
                    **common,
                    "user": learner,
                    "verb_id": "http://adlnet.gov/expapi/verbs/attended",
                    "verb_display": {"ko-KR": "참석함", "en-US": "attended"},
                    "result": {"duration": duration, "completion": True},
                    "statement_id": uuid.uuid5(
                        uuid.NAMESPACE_URL, f"{activity_id}|{learner.pseudonym}"
                    ),
                }
            )
    return statements


# When a slot of the weekly availability grid starts ("mon-ev" is Monday evening).
SLOT_PART_STARTS = {"am": dt.time(10, 0), "pm": dt.time(16, 0), "ev": dt.time(19, 0)}
WEEKDAY_CODES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def default_start_time(group: MentoringGroup, day: dt.date) -> dt.time:
    """The start of the group's regular slot on that weekday (the earliest if several), else
    of its first regular slot, else 19:00."""
    parts = [slot.split("-", 1) for slot in group.schedule if "-" in slot]
    same_day = [p for d, p in parts if d == WEEKDAY_CODES[day.weekday()]]
    candidates = same_day or [p for _d, p in parts]
    times = sorted(SLOT_PART_STARTS[p] for p in candidates if p in SLOT_PART_STARTS)
    return times[0] if times else SLOT_PART_STARTS["ev"]


# --- what the learner workspace reads (learning/sources.py) ------------------------------------


@dataclass(frozen=True)
class LearnerSession:
    """A mentoring session as the learner's weekly plan shows it."""

    public_id: uuid.UUID
    starts_at: dt.datetime
    duration_minutes: int
    title: str
    status: str


def _active_matches_of_mentor(mentor: Any) -> QuerySet[Match]:
    return Match.objects.filter(
        status=Match.Status.ACTIVE,
        group__status=MentoringGroup.Status.ACTIVE,
        group__mentor__user=mentor,
        group__mentor__status=MentorApplication.Status.SELECTED,
    )


def is_mentor_of(mentor: Any, learner: Any) -> bool:
    """True while ``mentor`` runs an active group in which ``learner`` has an active match
    (matches exist only once an operator published them)."""
    if not getattr(mentor, "is_authenticated", False) or mentor.role != Role.MENTOR:
        return False
    if getattr(learner, "pk", None) is None:
        return False
    return _active_matches_of_mentor(mentor).filter(mentee__user=learner).exists()


def mentees_of(mentor: Any) -> QuerySet[Any]:
    """The learners the mentor currently mentors (users, by name)."""
    users = get_user_model().objects
    if not getattr(mentor, "is_authenticated", False) or mentor.role != Role.MENTOR:
        return users.none()
    ids = _active_matches_of_mentor(mentor).values("mentee__user_id")
    return users.filter(pk__in=ids).order_by("full_name", "pk")


def sessions_for_learner(
    learner: Any, *, since: dt.datetime, until: dt.datetime
) -> list[LearnerSession]:
    """Sessions of the learner's groups starting in ``[since, until)``: planned ones while the
    learner's match is active, held ones the learner was counted in (present or not);
    cancelled ones never."""
    first = since.astimezone(SEOUL).date()
    last = until.astimezone(SEOUL).date()
    # The learner's groups and attendance first (subqueries from the learner's side), not a
    # join of every session of the period with every match and attendance row.
    active_groups = Match.objects.filter(mentee__user=learner, status=Match.Status.ACTIVE).values(
        "group_id"
    )
    counted_in = Attendance.objects.filter(match__mentee__user=learner).values("session_id")
    rows = (
        Session.objects.filter(date__gte=first, date__lte=last)
        .filter(
            Q(status=Session.Status.PLANNED, group_id__in=active_groups)
            | Q(status=Session.Status.LOGGED, pk__in=counted_in)
        )
        .select_related("group__mentor__user")
        .order_by("date", "start_time", "pk")
    )
    out = []
    for session in rows:
        if not since <= session.starts_at < until:
            continue
        out.append(
            LearnerSession(
                public_id=session.public_id,
                starts_at=session.starts_at,
                duration_minutes=session.duration_minutes,
                title=_("%(topic)s (멘토 %(mentor)s)")
                % {"topic": session.topic, "mentor": session.group.mentor.user.display_name},
                status=session.status,
            )
        )
    return out


def achievements_for_learner(learner: Any) -> list[dict[str, Any]]:
    """Verified mentoring for the portfolio: one entry per match with at least one session the
    learner attended (held sessions, minutes and topics, confirmed by the mentor's log)."""
    items: list[dict[str, Any]] = []
    matches = (
        Match.objects.filter(mentee__user=learner)
        .select_related("group__mentor__user", "group__mentor__university")
        .annotate(
            held=Count("attendance", filter=Q(attendance__attended=True)),
            minutes=Sum(
                "attendance__session__duration_minutes", filter=Q(attendance__attended=True)
            ),
            first_day=Min("attendance__session__date", filter=Q(attendance__attended=True)),
            last_day=Max("attendance__session__date", filter=Q(attendance__attended=True)),
        )
        .filter(held__gt=0)
        .order_by("started_on", "pk")
    )
    for match in matches:
        mentor = match.group.mentor
        topics = list(
            Session.objects.filter(
                attendance__match=match,
                attendance__attended=True,
                status=Session.Status.LOGGED,
            )
            .order_by("date", "pk")
            .values_list("topic", flat=True)
        )
        completed = match.status == Match.Status.ENDED and match.ending == Match.Ending.PLANNED
        title = (
            _("멘토링 수료: %(mentor)s 멘토(%(university)s)와 %(n)s회")
            if completed
            else _("멘토링: %(mentor)s 멘토(%(university)s)와 %(n)s회")
        ) % {
            "mentor": mentor.user.display_name,
            "university": mentor.university.name,
            "n": match.held,
        }
        hours = (match.minutes or 0) / 60
        detail = _("%(first)s–%(last)s, 총 %(hours)s시간. 다룬 주제: %(topics)s") % {
            "first": match.first_day.isoformat(),
            "last": match.last_day.isoformat(),
            "hours": f"{hours:g}" if hours == int(hours) else f"{hours:.1f}",
            "topics": ", ".join(dict.fromkeys(topics)),
        }
        items.append(
            {
                "kind": "mentoring",
                "source_key": f"mentoring-match:{match.public_id}",
                "title": title[:200],
                "detail": detail,
                "occurred_on": match.last_day,
                "evidence": _("멘토링 활동 기록과 출석 (멘토 기록, %(n)s회)") % {"n": match.held},
            }
        )
    return items


def monthly_hours(term: MentorTerm, month: dt.date) -> list[dict[str, Any]]:
    """Logged activity hours per mentor in a month and the stipend (integer KRW). Minutes
    above the term's monthly cap are not paid."""
    start = month.replace(day=1)
    end = add_months(start, 1)
    rows = (
        Session.objects.filter(
            group__term=term, status=Session.Status.LOGGED, date__gte=start, date__lt=end
        )
        .values("group__mentor_id")
        .annotate(minutes=Sum("duration_minutes"), sessions=Count("id"))
    )
    mentors = {
        m.pk: m
        for m in MentorApplication.objects.filter(
            pk__in=[r["group__mentor_id"] for r in rows]
        ).select_related("user")
    }
    result = []
    cap = term.monthly_hours_cap * 60
    for r in rows:
        paid = min(int(r["minutes"]), cap)
        result.append(
            {
                "mentor": mentors[r["group__mentor_id"]],
                "sessions": r["sessions"],
                "minutes": int(r["minutes"]),
                "paid_minutes": paid,
                "rate_krw": term.hourly_rate_krw,
                "amount_krw": paid * term.hourly_rate_krw // 60,
            }
        )
    return sorted(result, key=lambda x: x["mentor"].user.username)


def stipend_statements(mentor: MentorApplication) -> list[dict[str, Any]]:
    months = sorted(
        {
            d.replace(day=1)
            for d in Session.objects.filter(
                group__mentor=mentor, status=Session.Status.LOGGED
            ).values_list("date", flat=True)
        },
        reverse=True,
    )
    out = []
    for month in months:
        rows = [r for r in monthly_hours(mentor.term, month) if r["mentor"].pk == mentor.pk]
        if rows:
            out.append({"month": month, **rows[0]})
    return out


FIRST_MONTH_DAYS = 30
NEEDS_CHECK_IN_AFTER_DAYS = 14
INACTIVE_AFTER_DAYS = 30


def _check_ins_required(
    started_on: dt.date, check_in_days: Sequence[dt.date], on: dt.date
) -> tuple[int, int]:
    """(required, done) check-ins so far: two in the first month, then one per month."""
    first_month_end = started_on + dt.timedelta(days=FIRST_MONTH_DAYS)
    done_first = sum(1 for day in check_in_days if day <= first_month_end)
    if on <= first_month_end:
        required = 1 if on < started_on + dt.timedelta(days=15) else 2
        return required, done_first
    months = 0
    cursor = first_month_end
    while cursor < on:
        months += 1
        cursor = add_months(cursor, 1)
    done_after = sum(1 for day in check_in_days if day > first_month_end)
    return 2 + months, min(done_first, 2) + done_after


def _health(
    started_on: dt.date, last_session: dt.date | None, required: int, done: int, on: dt.date
) -> str:
    since = (on - (last_session or started_on)).days
    if since > INACTIVE_AFTER_DAYS:
        return CheckIn.Health.INACTIVE
    if since > NEEDS_CHECK_IN_AFTER_DAYS or done < required:
        return CheckIn.Health.NEEDS_CHECK_IN
    return CheckIn.Health.ON_TRACK


def check_ins_required(group: MentoringGroup, on: dt.date) -> tuple[int, int]:
    """(required, done) check-ins so far: two in the first month, then one per month."""
    days = list(group.check_ins.values_list("held_on", flat=True))
    return _check_ins_required(group.started_on, days, on)


def group_health(group: MentoringGroup, on: dt.date | None = None) -> str:
    """on_track, needs_check_in or inactive, from the activity log and check-ins."""
    on = on or today()
    last = (
        group.sessions.filter(status=Session.Status.LOGGED)
        .order_by("-date")
        .values_list("date", flat=True)
    ).first()
    required, done = check_ins_required(group, on)
    return _health(group.started_on, last, required, done, on)


@dataclass(frozen=True)
class GroupMonitoring:
    required: int
    done: int
    health: str
    last_session: dt.date | None


def groups_monitoring(
    groups: QuerySet[MentoringGroup], on: dt.date | None = None
) -> dict[int, GroupMonitoring]:
    """Check-ins required and done, health and the last logged session of every group of the
    query set, by group pk, in two queries whatever the number of groups."""
    on = on or today()
    starts = dict(groups.values_list("pk", "started_on"))
    days: dict[int, list[dt.date]] = {pk: [] for pk in starts}
    for group_id, held_on in CheckIn.objects.filter(group__in=groups.values("pk")).values_list(
        "group_id", "held_on"
    ):
        days[group_id].append(held_on)
    last = dict(
        Session.objects.filter(group__in=groups.values("pk"), status=Session.Status.LOGGED)
        .values("group_id")
        .annotate(last=Max("date"))
        .values_list("group_id", "last")
    )
    out = {}
    for pk, started_on in starts.items():
        required, done = _check_ins_required(started_on, days[pk], on)
        out[pk] = GroupMonitoring(
            required=required,
            done=done,
            health=_health(started_on, last.get(pk), required, done, on),
            last_session=last.get(pk),
        )
    return out


def check_in_due_list(term: MentorTerm, on: dt.date | None = None) -> list[dict[str, Any]]:
    """Active groups behind on check-ins or not on track, oldest first, in a constant number
    of queries."""
    groups = (
        MentoringGroup.objects.filter(term=term, status=MentoringGroup.Status.ACTIVE)
        .select_related("mentor__user")
        .order_by("started_on", "pk")
    )
    monitoring = groups_monitoring(groups, on)
    rows = []
    for group in groups:
        m = monitoring[group.pk]
        if m.done < m.required or m.health != CheckIn.Health.ON_TRACK:
            rows.append(
                {"group": group, "required": m.required, "done": m.done, "health": m.health}
            )
    return rows


# --- awards ------------------------------------------------------------------------------------

AWARD_WEIGHTS = {"sessions": 40, "attendance": 25, "feedback": 20, "log_quality": 15}
SESSIONS_FULL_MARKS_PER_MONTH = 4
GOOD_LOG_CHARS = 100


def award_ranking(term: MentorTerm, start: dt.date, end: dt.date) -> list[dict[str, Any]]:
    """Every group with activity in the period, scored by: sessions held (against 4 a
    month), attendance rate, mean mentee feedback and log quality (share of session notes of
    at least 100 characters). Ties: more sessions, then earlier group. Four queries, whatever
    the number of groups."""
    months = max(1, round((end - start).days / 30))
    target = SESSIONS_FULL_MARKS_PER_MONTH * months
    logged = Session.objects.filter(
        group__term=term, status=Session.Status.LOGGED, date__gte=start, date__lte=end
    )
    held = dict(logged.values("group_id").annotate(n=Count("id")).values_list("group_id", "n"))
    good_logs = dict(
        logged.annotate(chars=Length("notes"))
        .filter(chars__gte=GOOD_LOG_CHARS)
        .values("group_id")
        .annotate(n=Count("id"))
        .values_list("group_id", "n")
    )
    attendance: dict[int, dict[str, Any]] = {
        row["session__group_id"]: dict(row)
        for row in Attendance.objects.filter(session__in=logged.values("pk"))
        .values("session__group_id")
        .annotate(
            total=Count("id"), present=Count("id", filter=Q(attended=True)), fb=Avg("feedback")
        )
    }
    out: list[dict[str, Any]] = []
    groups = MentoringGroup.objects.filter(pk__in=logged.values("group_id")).select_related(
        "mentor__user"
    )
    for group in groups:
        n = held[group.pk]
        att = attendance.get(group.pk, {"total": 0, "present": 0, "fb": None})
        parts = {
            "sessions": min(n / target, 1.0),
            "attendance": (att["present"] / att["total"]) if att["total"] else 0.0,
            "feedback": ((att["fb"] - 1) / 4) if att["fb"] is not None else 0.0,
            "log_quality": good_logs.get(group.pk, 0) / n,
        }
        score = round(sum(AWARD_WEIGHTS[k] * v for k, v in parts.items()), 2)
        out.append(
            {
                "group": group,
                "mentor": group.mentor,
                "score": score,
                "sessions": n,
                "components": {k: round(v, 3) for k, v in parts.items()},
            }
        )
    out.sort(key=lambda r: (-r["score"], -r["sessions"], r["group"].started_on, r["group"].pk))
    return out


# --- closure -----------------------------------------------------------------------------------


def ended_matches_of(user: Any) -> QuerySet[Match]:
    """Ended matches in which ``user`` was the mentee or the mentor, newest first."""
    return (
        Match.objects.filter(Q(mentee__user=user) | Q(group__mentor__user=user))
        .filter(status=Match.Status.ENDED)
        .select_related("mentee__user", "group__mentor__user", "group__mentor__university")
        .order_by("-ended_on", "-pk")
    )


def respondent_of(user: Any, match: Match) -> str | None:
    """``mentee`` or ``mentor`` when ``user`` may answer the match's exit survey, else None."""
    if getattr(user, "pk", None) is None:
        return None
    if match.mentee.user_id == user.pk:
        return ExitSurvey.Respondent.MENTEE
    if match.group.mentor.user_id == user.pk:
        return ExitSurvey.Respondent.MENTOR
    return None


def answered_exit_surveys(user: Any, matches: Sequence[Match]) -> set[int]:
    """The pks of those matches whose exit survey ``user`` has answered (one query)."""
    ids = [m.pk for m in matches]
    rows = ExitSurvey.objects.filter(match_id__in=ids).values_list(
        "match_id", "respondent", "match__mentee__user_id"
    )
    answered = set()
    for match_id, respondent, mentee_user_id in rows:
        mine = mentee_user_id == user.pk
        if (respondent == ExitSurvey.Respondent.MENTEE) == mine:
            answered.add(match_id)
    return answered


class NextStep:
    """What follows an ended match, as the mentee's page explains it."""

    COMPLETED = "completed"  # a planned ending: mentoring completed
    REMATCH_WAITING = "rematch_waiting"  # back in the queue, the previous mentor excluded
    REMATCHED = "rematched"  # a new mentor since
    REAPPLY = "reapply"  # may apply again
    NONE = ""


def next_step(
    match: Match, applications: Sequence[MenteeApplication], matches: Sequence[Match]
) -> str:
    """The mentee's next step after ``match`` ended, from their applications and matches."""
    if match.status != Match.Status.ENDED:
        return NextStep.NONE
    ended = match.ended_on or today()
    if any(m.status == Match.Status.ACTIVE and m.started_on >= ended for m in matches):
        return NextStep.REMATCHED
    if match.ending == Match.Ending.PLANNED:
        return NextStep.COMPLETED
    waiting = any(
        a.status == MenteeApplication.Status.SUBMITTED
        and a.created_at.astimezone(SEOUL).date() >= ended
        for a in applications
    )
    if match.rematch_requested and waiting:
        return NextStep.REMATCH_WAITING
    if any(a.status in ("submitted", "matched") for a in applications):
        return NextStep.NONE
    return NextStep.REAPPLY


def exit_survey_summary(term: MentorTerm) -> dict[str, Any]:
    """Exit surveys of the term in aggregate, for operators: per side, how many answered of the
    ended matches, the mean rating and its spread, the share who would recommend mentoring,
    the mean rating by kind of ending; and why matches ended."""
    ended = Match.objects.filter(group__term=term, status=Match.Status.ENDED)
    n_ended = ended.count()
    surveys = ExitSurvey.objects.filter(match__group__term=term)
    spread = {
        (r["respondent"], r["rating"]): r["n"]
        for r in surveys.values("respondent", "rating").annotate(n=Count("id"))
    }
    by_ending = {
        (r["respondent"], r["match__ending"]): r["mean"]
        for r in surveys.values("respondent", "match__ending").annotate(mean=Avg("rating"))
    }
    sides = []
    labels_by_side = dict(ExitSurvey.Respondent.choices)
    for value in (ExitSurvey.Respondent.MENTEE, ExitSurvey.Respondent.MENTOR):
        label = labels_by_side[value]
        row = surveys.filter(respondent=value).aggregate(
            n=Count("id"),
            mean=Avg("rating"),
            recommend=Count("id", filter=Q(would_recommend=True)),
        )
        n = row["n"]
        counts = [spread.get((value, rating), 0) for rating in range(1, 6)]
        sides.append(
            {
                "respondent": value,
                "label": label,
                "answered": n,
                "response_rate": n / n_ended if n_ended else 0.0,
                "mean": row["mean"],
                "recommend_rate": row["recommend"] / n if n else 0.0,
                "spread": [
                    {"rating": r, "n": c, "share": c / n if n else 0.0}
                    for r, c in zip(range(1, 6), counts, strict=True)
                ],
                "by_ending": [
                    {"ending": e, "label": e_label, "mean": by_ending.get((value, e))}
                    for e, e_label in Match.Ending.choices
                ],
            }
        )
    reasons_rows = (
        ended.values("ending", "end_reason_code").annotate(n=Count("id")).order_by("-n", "ending")
    )
    labels = dict(EndReason.choices)
    endings = dict(Match.Ending.choices)
    reasons = [
        {
            "ending": r["ending"],
            "ending_label": endings.get(r["ending"], r["ending"]),
            "code": r["end_reason_code"],
            "label": labels.get(r["end_reason_code"], _("사유 구분 없음")),
            "n": r["n"],
            "share": r["n"] / n_ended if n_ended else 0.0,
        }
        for r in reasons_rows
    ]
    return {
        "ended": n_ended,
        "planned": ended.filter(ending=Match.Ending.PLANNED).count(),
        "rematched": ended.filter(rematch_requested=True).count(),
        "sides": sides,
        "reasons": reasons,
    }
