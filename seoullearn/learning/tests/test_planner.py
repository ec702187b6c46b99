"""Properties of the pure plan generator."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from seoullearn.learning import planner
from seoullearn.learning.planner import (
    MAX_BLOCKS_PER_DAY,
    MAX_SUGGESTIONS,
    MIN_BLOCK,
    FixedEvent,
    Goal,
    Offering,
    PlanInput,
    Progress,
    QuotaOffer,
)

MONDAY = dt.date(2026, 3, 2)
SUBJECTS = ["korean", "math", "english", "science", "social", "history", "coding", "reading"]

minutes = st.integers(min_value=0, max_value=720)
subjects = st.lists(st.sampled_from(SUBJECTS), max_size=5, unique=True)
days = st.integers(min_value=0, max_value=6).map(lambda i: MONDAY + dt.timedelta(days=i))

fixed_events = st.lists(
    st.builds(
        FixedEvent,
        day=days,
        minutes=st.integers(min_value=10, max_value=300),
        kind=st.sampled_from(["mentoring", "consulting", "lecture", "career"]),
        title=st.text(max_size=10),
        ref=st.uuids().map(str),
    ),
    max_size=6,
)
offerings = st.lists(
    st.builds(
        Offering,
        key=st.sampled_from(["megastudy", "milkt", "ebs", "willa", "hackers"]),
        name=st.text(min_size=1, max_size=10),
        subjects=st.lists(st.sampled_from(SUBJECTS), max_size=3, unique=True).map(tuple),
    ),
    max_size=3,
    unique_by=lambda o: o.key,
)
goals = st.lists(
    st.builds(
        Goal,
        key=st.uuids().map(str),
        title=st.text(min_size=1, max_size=10),
        subject=st.sampled_from(SUBJECTS),
        due_on=st.one_of(st.none(), days),
        weight=st.floats(min_value=0, max_value=3),
    ),
    max_size=4,
)
progress = st.builds(
    Progress,
    planned_minutes=st.integers(min_value=0, max_value=3000),
    done_minutes=st.integers(min_value=0, max_value=4000),
    subject_minutes=st.lists(
        st.tuples(st.sampled_from(SUBJECTS), st.integers(min_value=0, max_value=600)),
        max_size=4,
        unique_by=lambda t: t[0],
    ).map(tuple),
    carried_over=subjects.map(tuple),
)
quotas = st.lists(
    st.builds(
        QuotaOffer,
        key=st.text(min_size=1, max_size=8),
        kind=st.sampled_from(["consulting", "lecture"]),
        title=st.text(max_size=8),
        remaining=st.integers(min_value=-2, max_value=5),
    ),
    max_size=6,
)
kept = st.lists(st.tuples(days, st.integers(min_value=0, max_value=200)), max_size=4).map(tuple)

inputs = st.builds(
    PlanInput,
    week_start=st.just(MONDAY),
    availability=st.tuples(minutes, minutes, minutes, minutes, minutes, minutes, minutes),
    subjects=subjects.map(tuple),
    goals=goals.map(tuple),
    offerings=offerings.map(tuple),
    fixed=fixed_events.map(tuple),
    progress=progress,
    session_minutes=st.integers(min_value=1, max_value=200),
    learning_style=st.sampled_from(["", "visual", "auditory", "reading", "kinesthetic"]),
    quotas=quotas.map(tuple),
    from_day=st.one_of(st.none(), days),
    kept=kept,
)


def _kept_on(data: PlanInput, day: dt.date) -> int:
    return sum(m for d, m in data.kept if d == day)


@settings(max_examples=300, deadline=None)
@given(inputs)
def test_never_over_the_time_a_learner_has_each_day(data: PlanInput) -> None:
    plan = planner.generate(data)
    for i in range(7):
        day = MONDAY + dt.timedelta(days=i)
        free = max(0, data.availability[i] - plan.fixed_minutes(day) - _kept_on(data, day))
        assert plan.study_minutes(day) <= free
        if plan.fixed_minutes(day) + _kept_on(data, day) <= data.availability[i]:
            assert (
                plan.study_minutes(day) + plan.fixed_minutes(day) + _kept_on(data, day)
                <= data.availability[i]
            )


@settings(max_examples=300, deadline=None)
@given(inputs)
def test_respects_quotas_and_daily_block_cap(data: PlanInput) -> None:
    plan = planner.generate(data)
    remaining: dict[str, list[int]] = {}
    for q in data.quotas:
        remaining.setdefault(q.key, []).append(q.remaining)
    assert len(plan.suggestions) <= MAX_SUGGESTIONS
    for suggestion in plan.suggestions:
        assert any(r > 0 for r in remaining[suggestion.key])
    for i in range(7):
        day = MONDAY + dt.timedelta(days=i)
        study = [it for it in plan.items if it.day == day and not it.fixed]
        assert len(study) <= MAX_BLOCKS_PER_DAY
        assert all(it.minutes >= MIN_BLOCK for it in study)


@settings(max_examples=200, deadline=None)
@given(inputs)
def test_deterministic_and_explained(data: PlanInput) -> None:
    first = planner.generate(data)
    assert planner.generate(data) == first
    assert first.reasons
    for item in first.items:
        assert item.reasons, item
        assert MONDAY <= item.day <= MONDAY + dt.timedelta(days=6)


@settings(max_examples=200, deadline=None)
@given(inputs)
def test_fixed_commitments_are_kept_and_only_selected_offerings_appear(data: PlanInput) -> None:
    plan = planner.generate(data)
    fixed = sorted((e.day, e.minutes, e.ref) for e in data.fixed)
    assert sorted((i.day, i.minutes, i.ref) for i in plan.items if i.fixed) == fixed
    selected = {o.key for o in data.offerings}
    assert {i.offering_key for i in plan.items if i.offering_key} <= selected


@settings(max_examples=150, deadline=None)
@given(inputs)
def test_replanning_leaves_past_days_alone(data: PlanInput) -> None:
    plan = planner.generate(data)
    if data.from_day is not None:
        assert all(i.day >= data.from_day for i in plan.items if not i.fixed)


def _base(**overrides: object) -> PlanInput:
    values: dict[str, object] = {
        "week_start": MONDAY,
        "availability": (60, 60, 60, 60, 60, 120, 0),
        "subjects": ("math", "english"),
        "session_minutes": 30,
    }
    values.update(overrides)
    return PlanInput(**values)  # type: ignore[arg-type]


def test_falling_behind_gives_a_lighter_week_with_shorter_blocks() -> None:
    normal = planner.generate(_base(progress=Progress(planned_minutes=300, done_minutes=270)))
    behind = planner.generate(
        _base(session_minutes=50, progress=Progress(planned_minutes=300, done_minutes=60))
    )
    total = sum(i.minutes for i in normal.items)
    assert behind.pace == "behind" and normal.pace == "on_track"
    assert sum(i.minutes for i in behind.items) < total
    assert max(i.minutes for i in behind.items) <= planner.BEHIND_BLOCK
    assert behind.reasons[0].code == "pace_behind"


def test_getting_ahead_fills_the_free_time() -> None:
    ahead = planner.generate(_base(progress=Progress(planned_minutes=300, done_minutes=400)))
    assert ahead.pace == "ahead"
    assert sum(i.minutes for i in ahead.items) == sum(_base().availability)


def test_goal_due_soon_gets_more_time_and_says_why() -> None:
    plan = planner.generate(
        _base(
            goals=(
                Goal(key="g", title="수학 기말", subject="math", due_on=MONDAY + dt.timedelta(7)),
            ),
        )
    )
    math = sum(i.minutes for i in plan.items if i.subject == "math")
    english = sum(i.minutes for i in plan.items if i.subject == "english")
    assert math > english
    codes = {r.code for i in plan.items if i.subject == "math" for r in i.reasons}
    assert "goal_due_soon" in codes


def test_selected_offering_is_named_for_its_subject() -> None:
    plan = planner.generate(
        _base(offerings=(Offering(key="milkt", name="밀크T", subjects=("math",)),))
    )
    math_items = [i for i in plan.items if i.subject == "math"]
    assert math_items and all(i.offering_key == "milkt" for i in math_items)


def test_fixed_event_longer_than_the_day_leaves_no_study_and_says_so() -> None:
    plan = planner.generate(
        _base(fixed=(FixedEvent(day=MONDAY, minutes=90, kind="lecture", title="특강"),))
    )
    assert plan.study_minutes(MONDAY) == 0
    assert any(r.code == "fixed_over_time" for r in plan.reasons)


def test_quota_suggestions_stop_at_zero() -> None:
    plan = planner.generate(
        _base(
            quotas=(
                QuotaOffer(key="in-depth", kind="consulting", title="심층", remaining=0),
                QuotaOffer(key="focused", kind="consulting", title="집중", remaining=1),
            )
        )
    )
    assert [s.key for s in plan.suggestions] == ["focused"]


def test_no_time_no_plan() -> None:
    plan = planner.generate(_base(availability=(0, 0, 0, 0, 0, 0, 0)))
    assert not plan.items
    assert any(r.code == "no_availability" for r in plan.reasons)
