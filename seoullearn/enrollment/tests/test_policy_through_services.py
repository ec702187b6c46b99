"""Property test through the real services and database: whatever sequence of select, switch
and cancel members try, the selections stored never break the programme's policy."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from seoullearn.catalog.selectors import policy_config, policy_row
from seoullearn.core.errors import DomainError
from seoullearn.enrollment import services
from seoullearn.enrollment.models import BudgetEntry, Seat, Selection
from seoullearn.enrollment.tests.factories import member, world

CODES = ["mbest", "soobakc", "mega", "eduwill", "welaaa"]


@pytest.mark.django_db
class TestPolicyThroughServices:
    def test_no_sequence_breaks_the_policy(self) -> None:
        w = world(capacity=2)
        row = policy_row(w.programme)
        row.switch_windows = [
            {"starts_on": f"{w.programme.year}-03-01", "ends_on": f"{w.programme.year}-04-15"},
            {"starts_on": f"{w.programme.year}-09-01", "ends_on": f"{w.programme.year}-09-30"},
        ]
        row.cooldown_days = 7
        row.save()
        config = policy_config(w.programme)
        learners = [member(w.programme, level=lv) for lv in ("middle", "high", "middle")]
        seen = {"selections": 0, "switches": 0, "cancels": 0}

        class Machine(RuleBasedStateMachine):
            @initialize()
            def start(self) -> None:
                # Each example starts from members without any selection.
                BudgetEntry.objects.all().delete()
                Seat.objects.all().delete()
                Selection.objects.update(replaces=None)
                Selection.objects.all().delete()
                self.day = dt.date(w.programme.year, 2, 20)
                self.refusals = 0

            @rule(days=st.integers(min_value=0, max_value=25))
            def wait(self, days: int) -> None:
                nxt = self.day + dt.timedelta(days=days)
                if nxt <= w.programme.ends_on:
                    self.day = nxt

            @rule(who=st.integers(0, 2), code=st.sampled_from(CODES))
            def select(self, who: int, code: str) -> None:
                try:
                    services.selection_select(
                        actor=learners[who], offering=w.offerings[code], on=self.day
                    )
                except DomainError:
                    self.refusals += 1

            @rule(who=st.integers(0, 2), index=st.integers(0, 2), code=st.sampled_from(CODES))
            def switch(self, who: int, index: int, code: str) -> None:
                held = list(
                    Selection.objects.filter(
                        user=learners[who], status__in=Selection.HELD
                    ).order_by("id")
                )
                if not held:
                    return
                try:
                    services.selection_switch(
                        actor=learners[who],
                        selection=held[index % len(held)],
                        offering=w.offerings[code],
                        on=self.day,
                    )
                except DomainError:
                    self.refusals += 1

            @rule(who=st.integers(0, 2), index=st.integers(0, 2))
            def cancel(self, who: int, index: int) -> None:
                held = list(
                    Selection.objects.filter(
                        user=learners[who], status__in=Selection.HELD
                    ).order_by("id")
                )
                if held:
                    services.selection_cancel(
                        actor=learners[who], selection=held[index % len(held)], on=self.day
                    )

            @invariant()
            def stored_selections_keep_the_policy(self) -> None:
                for learner in learners:
                    rows: Any = Selection.objects.filter(user=learner).select_related(
                        "offering__track", "replaces__offering__track"
                    )
                    held = [s for s in rows if s.is_held]
                    assert len(held) <= config.max_total
                    assert len({s.offering_id for s in held}) == len(held)
                    for code, group in config.groups.items():
                        in_group = [
                            s for s in held if config.group_of(s.offering.track.code) == code
                        ]
                        assert group.cap is None or len(in_group) <= group.cap
                    level = learner.learner_profile.school_level
                    for s in rows:
                        levels = s.offering.target_levels
                        assert not levels or level in levels
                    switches = sorted(s.selected_on for s in rows if s.counts_as_switch)
                    for day in switches:
                        assert any(w.starts_on <= day <= w.ends_on for w in config.switch_windows)
                        start = day - dt.timedelta(days=config.switch_period_days - 1)
                        assert sum(start <= d <= day for d in switches) <= config.max_switches
                    for s in rows:
                        if s.end_reason == "switched":
                            successor = s.replaced_by.get()
                            assert (successor.selected_on - s.selected_on).days >= 7

            def teardown(self) -> None:
                seen["selections"] += Selection.objects.count()
                seen["switches"] += Selection.objects.filter(counts_as_switch=True).count()
                seen["cancels"] += Selection.objects.filter(end_reason="cancelled").count()

            @invariant()
            def seats_never_exceed_capacity(self) -> None:
                for contract in w.contracts.values():
                    taken = Seat.objects.filter(
                        contract=contract, status__in=Seat.OCCUPYING
                    ).count()
                    assert taken <= contract.seat_capacity

        run = Machine.TestCase
        run.settings = hsettings(
            max_examples=25,
            stateful_step_count=30,
            derandomize=True,  # the same sequences on every run, so the coverage check is stable
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        )
        run().runTest()
        # The test is not vacuous: members did select, switch and cancel.
        assert seen["selections"] > 0 and seen["switches"] > 0 and seen["cancels"] > 0, seen
