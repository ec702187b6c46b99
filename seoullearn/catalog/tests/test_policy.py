"""The selection policy on its own (no database): examples and properties."""

from __future__ import annotations

import datetime as dt

from hypothesis import settings as hsettings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from seoullearn.catalog import policy
from seoullearn.catalog.policy import Action, Event, Held, MemberState, OfferingInfo

DAY = dt.date(2026, 3, 10)
CONFIG = policy.seoul_default_config()

OF = {
    "homelearn": OfferingInfo("homelearn", "elementary", frozenset({"elementary"})),
    "mbest": OfferingInfo("mbest", "middle", frozenset({"middle"})),
    "milkt-mid": OfferingInfo("milkt-mid", "middle", frozenset({"middle"})),
    "soobakc": OfferingInfo("soobakc", "middle", frozenset({"middle"})),
    "mega": OfferingInfo("mega", "high", frozenset({"high"})),
    "ged": OfferingInfo("ged", "ged", frozenset({"out_of_school", "adult"})),
    "eduwill": OfferingInfo("eduwill", "certificate", frozenset({"middle", "high"})),
    "hackers": OfferingInfo("hackers", "certificate", frozenset({"middle", "high"})),
    "welaaa": OfferingInfo("welaaa", "reading", frozenset()),
}


def state(*ids: str, level: str = "middle", since: dt.date = DAY, history=()) -> MemberState:
    return MemberState(level=level, held=tuple(Held(OF[i], since) for i in ids), history=history)


def rules_of(decision: policy.Decision) -> list[str]:
    return [v.rule for v in decision.violations]


def test_curricular_certificate_and_reading_make_three() -> None:
    s = state("mbest", "eduwill")
    assert policy.evaluate(CONFIG, s, Action.SELECT, on=DAY, offering=OF["welaaa"]).allowed


def test_fourth_selection_names_the_maximum_first_in_both_languages() -> None:
    decision = policy.evaluate(
        CONFIG, state("mbest", "eduwill", "welaaa"), Action.SELECT, on=DAY, offering=OF["soobakc"]
    )
    assert not decision.allowed
    first = decision.first
    assert first is not None and first.rule == "max_total"
    assert "최대 3개" in first.message_ko
    assert "at most 3" in first.message_en
    assert first.message("en") == first.message_en
    assert "group_cap" in rules_of(decision)


def test_second_curricular_is_refused_by_the_group_cap() -> None:
    decision = policy.evaluate(
        CONFIG, state("mbest"), Action.SELECT, on=DAY, offering=OF["soobakc"]
    )
    assert rules_of(decision) == ["group_cap"]
    assert "교과 과정은 1개만" in decision.violations[0].message_ko


def test_reading_has_no_cap_of_its_own() -> None:
    config = policy.PolicyConfig(
        max_total=5,
        groups=CONFIG.groups,
        track_groups=CONFIG.track_groups,
    )
    other_reading = OfferingInfo("millie", "reading", frozenset())
    s = state("mbest", "welaaa")
    assert policy.evaluate(config, s, Action.SELECT, on=DAY, offering=other_reading).allowed


def test_same_offering_twice_is_a_duplicate() -> None:
    decision = policy.evaluate(
        CONFIG, state("welaaa"), Action.SELECT, on=DAY, offering=OF["welaaa"]
    )
    assert "duplicate" in rules_of(decision)


def test_school_level_restriction_and_its_message() -> None:
    decision = policy.evaluate(
        CONFIG, state(level="middle"), Action.SELECT, on=DAY, offering=OF["mega"]
    )
    assert rules_of(decision) == ["school_level"]
    assert "고등학생 대상" in decision.violations[0].message_ko
    assert "high school students" in decision.violations[0].message_en
    unknown = MemberState(level=None)
    assert not policy.evaluate(CONFIG, unknown, Action.SELECT, on=DAY, offering=OF["mega"]).allowed
    off = policy.PolicyConfig(
        max_total=3, groups=CONFIG.groups, track_groups=CONFIG.track_groups, restrict_levels=False
    )
    assert policy.evaluate(
        off, state(level="middle"), Action.SELECT, on=DAY, offering=OF["mega"]
    ).allowed


def test_closed_offering_is_refused() -> None:
    closed = OfferingInfo("closed", "reading", frozenset(), active=False)
    assert rules_of(policy.evaluate(CONFIG, state(), Action.SELECT, on=DAY, offering=closed)) == [
        "offering_closed"
    ]


def test_switch_needs_the_cooldown_then_is_allowed() -> None:
    s = state("mbest", since=DAY)
    early = policy.evaluate(
        CONFIG,
        s,
        Action.SWITCH,
        on=DAY + dt.timedelta(days=3),
        offering=OF["soobakc"],
        leave=OF["mbest"],
    )
    assert rules_of(early) == ["cooldown"]
    later = policy.evaluate(
        CONFIG,
        s,
        Action.SWITCH,
        on=DAY + dt.timedelta(days=14),
        offering=OF["soobakc"],
        leave=OF["mbest"],
    )
    assert later.allowed and later.counts_as_switch


def test_switch_quota_per_period() -> None:
    history = (Event(Action.SWITCH, DAY, OF["soobakc"], left=OF["mbest"]),)
    s = state("soobakc", since=DAY - dt.timedelta(days=40), history=history)
    decision = policy.evaluate(
        CONFIG,
        s,
        Action.SWITCH,
        on=DAY + dt.timedelta(days=10),
        offering=OF["milkt-mid"],
        leave=OF["soobakc"],
    )
    assert "switch_quota" in rules_of(decision)
    after = policy.evaluate(
        CONFIG,
        s,
        Action.SWITCH,
        on=DAY + dt.timedelta(days=30),
        offering=OF["milkt-mid"],
        leave=OF["soobakc"],
    )
    assert after.allowed


def test_change_window_closed_names_the_next_window() -> None:
    config = policy.PolicyConfig(
        max_total=3,
        groups=CONFIG.groups,
        track_groups=CONFIG.track_groups,
        switch_windows=(policy.Window(dt.date(2026, 6, 1), dt.date(2026, 6, 15)),),
        cooldown_days=0,
    )
    s = state("mbest")
    decision = policy.evaluate(
        config, s, Action.SWITCH, on=DAY, offering=OF["soobakc"], leave=OF["mbest"]
    )
    assert rules_of(decision) == ["change_window"]
    assert "2026-06-01" in decision.violations[0].message_ko
    inside = policy.evaluate(
        config, s, Action.SWITCH, on=dt.date(2026, 6, 3), offering=OF["soobakc"], leave=OF["mbest"]
    )
    assert inside.allowed


def test_cancel_then_select_in_the_same_group_counts_as_a_switch() -> None:
    history = (Event(Action.CANCEL, DAY, OF["mbest"]),)
    s = state(history=history)
    decision = policy.evaluate(
        CONFIG, s, Action.SELECT, on=DAY + dt.timedelta(days=1), offering=OF["soobakc"]
    )
    assert decision.allowed and decision.counts_as_switch
    again = policy.evaluate(
        CONFIG, s, Action.SELECT, on=DAY + dt.timedelta(days=1), offering=OF["mbest"]
    )
    assert "cooldown" in rules_of(again)


def test_cancel_is_allowed_only_for_a_held_offering() -> None:
    assert policy.evaluate(CONFIG, state("mbest"), Action.CANCEL, on=DAY, leave=OF["mbest"]).allowed
    assert rules_of(policy.evaluate(CONFIG, state(), Action.CANCEL, on=DAY, leave=OF["mbest"])) == [
        "not_held"
    ]


def test_rules_in_words_in_both_languages() -> None:
    ko = policy.rules_in_words(CONFIG, "ko")
    en = policy.rules_in_words(CONFIG, "en")
    assert any("최대 3개" in line for line in ko)
    assert any("택1" in line for line in ko)
    assert any("중복 가능" in line for line in ko)
    assert any("up to 3" in line for line in en)


# --- properties -----------------------------------------------------------------------------

LEVELS = st.sampled_from(["elementary", "middle", "high", "out_of_school", "adult"])
WINDOWS = (
    policy.Window(dt.date(2026, 3, 1), dt.date(2026, 3, 20)),
    policy.Window(dt.date(2026, 9, 1), dt.date(2026, 9, 20)),
)


class SelectionMachine(RuleBasedStateMachine):
    """Random members doing random things: whatever the policy allows keeps every rule."""

    def __init__(self) -> None:
        super().__init__()
        self.config = policy.PolicyConfig(
            max_total=3,
            groups=CONFIG.groups,
            track_groups=CONFIG.track_groups,
            switch_windows=WINDOWS,
            max_switches=1,
            switch_period_days=30,
            cooldown_days=7,
        )
        self.day = dt.date(2026, 2, 20)
        self.level = "middle"
        self.held: list[Held] = []
        self.history: list[Event] = []
        self.checked_levels: list[tuple[OfferingInfo, str]] = []

    def state(self) -> MemberState:
        return MemberState(self.level, tuple(self.held), tuple(self.history))

    @rule(days=st.integers(min_value=0, max_value=20))
    def wait(self, days: int) -> None:
        self.day += dt.timedelta(days=days)

    @rule(level=LEVELS)
    def change_level(self, level: str) -> None:
        self.level = level

    @rule(key=st.sampled_from(sorted(OF)))
    def select(self, key: str) -> None:
        decision = policy.evaluate(
            self.config, self.state(), Action.SELECT, on=self.day, offering=OF[key]
        )
        if decision.allowed:
            self.held.append(Held(OF[key], self.day))
            kind = Action.SWITCH if decision.counts_as_switch else Action.SELECT
            self.history.append(Event(kind, self.day, OF[key]))
            self.checked_levels.append((OF[key], self.level))
        else:
            assert all(v.message_ko and v.message_en and v.rule for v in decision.violations)

    @precondition(lambda self: bool(self.held))
    @rule(index=st.integers(min_value=0, max_value=2), key=st.sampled_from(sorted(OF)))
    def switch(self, index: int, key: str) -> None:
        current = self.held[index % len(self.held)]
        decision = policy.evaluate(
            self.config,
            self.state(),
            Action.SWITCH,
            on=self.day,
            offering=OF[key],
            leave=current.offering,
        )
        if decision.allowed:
            assert self.day - current.since >= dt.timedelta(days=self.config.cooldown_days)
            self.held.remove(current)
            self.held.append(Held(OF[key], self.day))
            self.history.append(Event(Action.SWITCH, self.day, OF[key], left=current.offering))
            self.checked_levels.append((OF[key], self.level))

    @precondition(lambda self: bool(self.held))
    @rule(index=st.integers(min_value=0, max_value=2))
    def cancel(self, index: int) -> None:
        current = self.held[index % len(self.held)]
        decision = policy.evaluate(
            self.config, self.state(), Action.CANCEL, on=self.day, leave=current.offering
        )
        assert decision.allowed
        self.held.remove(current)
        self.history.append(Event(Action.CANCEL, self.day, current.offering))

    @invariant()
    def caps_hold(self) -> None:
        assert len(self.held) <= self.config.max_total
        ids = [h.offering.id for h in self.held]
        assert len(ids) == len(set(ids))
        for code, group in self.config.groups.items():
            if group.cap is not None:
                in_group = [h for h in self.held if self.config.group_of(h.offering.track) == code]
                assert len(in_group) <= group.cap

    @invariant()
    def switches_respect_windows_and_quota(self) -> None:
        switches = [e for e in self.history if e.kind == Action.SWITCH]
        for event in switches:
            assert any(w.contains(event.on) for w in self.config.switch_windows)
            start = event.on - dt.timedelta(days=self.config.switch_period_days - 1)
            in_period = [e for e in switches if start <= e.on <= event.on]
            assert len(in_period) <= self.config.max_switches

    @invariant()
    def taken_offerings_matched_the_level_then(self) -> None:
        for offering, level in self.checked_levels:
            assert not offering.levels or level in offering.levels


TestSelectionMachine = SelectionMachine.TestCase
TestSelectionMachine.settings = hsettings(max_examples=150, stateful_step_count=40, deadline=None)
