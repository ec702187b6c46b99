"""The weekly learning-plan generator as a pure module (no Django, no clock, no randomness).

Inputs are plain values gathered by ``learning.sources``: the learner's availability per
weekday, subjects and goals, selected offerings, fixed commitments (mentoring sessions,
consulting bookings, lectures, career events), how the last weeks went, and the remaining
quotas of the city's programmes. The output is a list of plan items, each with the reasons
("why this") that produced it, as codes with parameters the interface translates.

Guarantees (checked by property tests):

- study time planned on a day never exceeds the time the learner has that day after fixed
  commitments and the items they already kept (``available - fixed - kept``, at least 0);
- fixed commitments are never dropped or moved;
- at most ``MAX_BLOCKS_PER_DAY`` study blocks a day, no block shorter than ``MIN_BLOCK``;
- a programme is suggested only while its remaining quota is above zero, at most
  ``MAX_SUGGESTIONS`` suggestions a week;
- only offerings the learner selected appear;
- the same input always gives the same plan.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

MIN_BLOCK = 15
MAX_BLOCK = 90
MAX_BLOCKS_PER_DAY = 4
MAX_SUGGESTIONS = 3
GENERAL_SUBJECT = "general"

# Share of the free time the plan fills, by pace. A learner who fell behind gets a lighter,
# reachable week with shorter blocks; one who is ahead gets all their free time.
LOAD_PERCENT = {"start": 80, "behind": 60, "on_track": 85, "ahead": 100}
BEHIND_BELOW = 0.6
AHEAD_FROM = 1.1
BEHIND_BLOCK = 30
DUE_SOON_DAYS = 28

STYLE_MODES = {
    "visual": "video",
    "auditory": "listen",
    "reading": "read",
    "kinesthetic": "practice",
}

Params = tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Reason:
    code: str
    params: Params = ()

    def param(self, name: str) -> str:
        return dict(self.params).get(name, "")


@dataclass(frozen=True)
class Offering:
    key: str
    name: str
    subjects: tuple[str, ...]


@dataclass(frozen=True)
class Goal:
    key: str
    title: str
    subject: str
    due_on: dt.date | None = None
    weight: float = 1.0


@dataclass(frozen=True)
class FixedEvent:
    day: dt.date
    minutes: int
    kind: str  # mentoring, consulting, lecture, career
    title: str
    ref: str = ""


@dataclass(frozen=True)
class Progress:
    """How the previous plan went and what the learner actually studied lately."""

    planned_minutes: int = 0
    done_minutes: int = 0
    subject_minutes: tuple[tuple[str, int], ...] = ()
    carried_over: tuple[str, ...] = ()  # subjects of planned items left undone


@dataclass(frozen=True)
class QuotaOffer:
    key: str
    kind: str  # consulting, lecture, career
    title: str
    remaining: int


@dataclass(frozen=True)
class PlanInput:
    week_start: dt.date
    availability: tuple[int, int, int, int, int, int, int]  # minutes, Monday first
    subjects: tuple[str, ...] = ()
    goals: tuple[Goal, ...] = ()
    offerings: tuple[Offering, ...] = ()
    fixed: tuple[FixedEvent, ...] = ()
    progress: Progress = field(default_factory=Progress)
    session_minutes: int = 40
    learning_style: str = ""
    quotas: tuple[QuotaOffer, ...] = ()
    from_day: dt.date | None = None  # re-planning: days before it get nothing new
    kept: tuple[tuple[dt.date, int], ...] = ()  # minutes of items kept on a day


@dataclass(frozen=True)
class PlanItem:
    day: dt.date
    minutes: int
    kind: str  # study, review, mentoring, consulting, lecture, career
    title: str
    subject: str = ""
    offering_key: str = ""
    mode: str = ""
    fixed: bool = False
    ref: str = ""
    reasons: tuple[Reason, ...] = ()


@dataclass(frozen=True)
class Suggestion:
    kind: str
    key: str
    title: str
    reasons: tuple[Reason, ...]


@dataclass(frozen=True)
class Plan:
    week_start: dt.date
    pace: str
    load_percent: int
    items: tuple[PlanItem, ...]
    suggestions: tuple[Suggestion, ...]
    reasons: tuple[Reason, ...]
    free_minutes: tuple[int, ...]  # per day: time left for study after fixed and kept

    def study_minutes(self, day: dt.date) -> int:
        return sum(i.minutes for i in self.items if i.day == day and not i.fixed)

    def fixed_minutes(self, day: dt.date) -> int:
        return sum(i.minutes for i in self.items if i.day == day and i.fixed)


def week_start_of(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def _p(**kwargs: object) -> Params:
    return tuple(sorted((k, str(v)) for k, v in kwargs.items()))


def pace_of(progress: Progress) -> tuple[str, Reason]:
    if progress.planned_minutes <= 0:
        return "start", Reason("pace_start", _p(load=LOAD_PERCENT["start"]))
    ratio = progress.done_minutes / progress.planned_minutes
    percent = round(ratio * 100)
    if ratio < BEHIND_BELOW:
        return "behind", Reason("pace_behind", _p(percent=percent))
    if ratio >= AHEAD_FROM:
        return "ahead", Reason("pace_ahead", _p(percent=percent))
    return "on_track", Reason("pace_on_track", _p(percent=percent))


def _round_down(minutes: float, step: int = 5) -> int:
    return max(0, int(minutes) // step * step)


def _subject_weights(data: PlanInput) -> dict[str, tuple[float, list[Reason]]]:
    subjects = set(data.subjects)
    subjects.update(g.subject for g in data.goals if g.subject)
    if not subjects:
        subjects = {s for o in data.offerings for s in o.subjects}
    if not subjects:
        subjects = {GENERAL_SUBJECT}
    weights: dict[str, tuple[float, list[Reason]]] = {}
    for subject in sorted(subjects):
        weight = 1.0
        reasons: list[Reason] = []
        if subject in data.subjects:
            reasons.append(Reason("subject_chosen", _p(subject=subject)))
        for goal in sorted(data.goals, key=lambda g: g.key):
            if goal.subject != subject:
                continue
            weight += max(0.0, goal.weight)
            if goal.due_on is not None and (goal.due_on - data.week_start).days <= DUE_SOON_DAYS:
                weight += 1.0
                reasons.append(
                    Reason("goal_due_soon", _p(goal=goal.title, due=goal.due_on.isoformat()))
                )
            else:
                reasons.append(Reason("goal", _p(goal=goal.title)))
        weights[subject] = (weight, reasons)
    # Balance: a subject studied less than its share lately gets more time this week.
    actual = dict(data.progress.subject_minutes)
    total_actual = sum(max(0, actual.get(s, 0)) for s in weights)
    total_weight = sum(w for w, _r in weights.values())
    if total_actual > 0 and len(weights) > 1:
        for subject, (weight, reasons) in list(weights.items()):
            target = weight / total_weight
            share = max(0, actual.get(subject, 0)) / total_actual
            if share < target * 0.75:
                boost = min(1.0, target - share) * 2
                reasons.append(Reason("balance_low", _p(percent=round(share * 100))))
                weights[subject] = (weight + boost, reasons)
    for subject in data.progress.carried_over:
        if subject in weights:
            weight, reasons = weights[subject]
            reasons.append(Reason("carried_over"))
            weights[subject] = (weight + 0.5, reasons)
    return weights


def _offering_for(subject: str, offerings: tuple[Offering, ...]) -> Offering | None:
    for offering in sorted(offerings, key=lambda o: o.key):
        if subject in offering.subjects:
            return offering
    return None


def _block_length(data: PlanInput, pace: str) -> int:
    length = min(MAX_BLOCK, max(MIN_BLOCK, int(data.session_minutes)))
    if pace == "behind":
        length = min(length, BEHIND_BLOCK)
    return _round_down(length) or MIN_BLOCK


def generate(data: PlanInput) -> Plan:
    """Build the week's plan. Deterministic: equal inputs give equal plans."""
    days = [data.week_start + dt.timedelta(days=i) for i in range(7)]
    pace, pace_reason = pace_of(data.progress)
    load = LOAD_PERCENT[pace]
    kept = {d: 0 for d in days}
    for day, minutes in data.kept:
        if day in kept:
            kept[day] += max(0, minutes)

    items: list[PlanItem] = []
    fixed_by_day = {d: 0 for d in days}
    for event in sorted(data.fixed, key=lambda e: (e.day, e.kind, e.title, e.ref)):
        if event.day not in fixed_by_day or event.minutes <= 0:
            continue
        fixed_by_day[event.day] += event.minutes
        items.append(
            PlanItem(
                day=event.day,
                minutes=event.minutes,
                kind=event.kind,
                title=event.title,
                fixed=True,
                ref=event.ref,
                reasons=(Reason("fixed_commitment", _p(kind=event.kind)),),
            )
        )

    free = []
    capacity = []
    for i, day in enumerate(days):
        available = max(0, int(data.availability[i]))
        left = max(0, available - fixed_by_day[day] - kept[day])
        free.append(left)
        if data.from_day is not None and day < data.from_day:
            capacity.append(0)
        else:
            capacity.append(_round_down(left * load / 100))

    weights = _subject_weights(data)
    total_weight = sum(w for w, _r in weights.values())
    block = _block_length(data, pace)
    mode = STYLE_MODES.get(data.learning_style, "")
    assigned = {s: 0 for s in weights}
    assigned_total = 0
    study: list[PlanItem] = []
    for i, day in enumerate(days):
        remaining = capacity[i]
        previous = ""
        blocks = 0
        while remaining >= MIN_BLOCK and blocks < MAX_BLOCKS_PER_DAY:
            length = min(block, remaining)
            candidates = sorted(
                weights,
                key=lambda s: (
                    -(weights[s][0] / total_weight * (assigned_total + length) - assigned[s]),
                    s == previous,
                    s,
                ),
            )
            subject = candidates[0]
            if subject == previous and len(candidates) > 1:
                subject = candidates[1]
            offering = _offering_for(subject, data.offerings)
            reasons = [*weights[subject][1]]
            if offering is not None:
                reasons.append(Reason("offering_match", _p(offering=offering.name)))
            reasons.append(
                Reason("free_time", _p(minutes=free[i], weekday=day.weekday(), load=load))
            )
            if mode:
                reasons.append(Reason("learning_style", _p(style=data.learning_style)))
            study.append(
                PlanItem(
                    day=day,
                    minutes=length,
                    kind="study",
                    title=offering.name if offering else "",
                    subject=subject,
                    offering_key=offering.key if offering else "",
                    mode=mode,
                    reasons=tuple(reasons),
                )
            )
            assigned[subject] += length
            assigned_total += length
            remaining -= length
            previous = subject
            blocks += 1

    # The week's last block becomes a review of everything studied, when there is enough.
    if len(study) >= 3:
        last = study[-1]
        study[-1] = PlanItem(
            day=last.day,
            minutes=last.minutes,
            kind="review",
            title="",
            subject=GENERAL_SUBJECT,
            mode=mode,
            reasons=(Reason("weekly_review", _p(subjects=len(weights))),),
        )
    items.extend(study)

    suggestions: list[Suggestion] = []
    for offer in sorted(data.quotas, key=lambda q: (q.kind != "consulting", q.key)):
        if offer.remaining <= 0 or len(suggestions) >= MAX_SUGGESTIONS:
            continue
        code = "quota_remaining" if offer.kind == "consulting" else f"{offer.kind}_open"
        suggestions.append(
            Suggestion(
                kind=offer.kind,
                key=offer.key,
                title=offer.title,
                reasons=(Reason(code, _p(remaining=offer.remaining)),),
            )
        )

    plan_reasons = [pace_reason]
    if any(fixed_by_day[d] > max(0, data.availability[i]) for i, d in enumerate(days)):
        plan_reasons.append(Reason("fixed_over_time"))
    if all(a <= 0 for a in data.availability):
        plan_reasons.append(Reason("no_availability"))
    items.sort(key=lambda it: (it.day, not it.fixed, it.kind, it.subject, it.ref))
    return Plan(
        week_start=data.week_start,
        pace=pace,
        load_percent=load,
        items=tuple(items),
        suggestions=tuple(suggestions),
        reasons=tuple(plan_reasons),
        free_minutes=tuple(free),
    )
