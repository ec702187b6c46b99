"""Selection policy, a pure module (no Django): caps per track group, levels, windows.

The programme's rules (Seoul's "택1 / 택1 / 중복가능") are data: a :class:`PolicyConfig` built
from the operators' policy row. :func:`evaluate` answers whether one action — select, switch or
cancel — is allowed for a member in a given :class:`MemberState`, and when it is not, names every
rule it breaks with a Korean and an English message.

Definitions used throughout:

- A *selection* is an offering the member holds (a seat or a place on a waiting list).
- A *switch* replaces one held selection by another offering in one step. Cancelling an
  offering and selecting another one in the same group within the cool-down also counts as a
  switch (otherwise a cancel + select would step around the switching rules).
- The *cool-down* (``cooldown_days``): a selection must be held that long before it can be
  switched away from, and an offering the member left cannot be selected again within it.
- *Change windows*: date ranges in which switching is allowed; none means "any time".
- *Switch quota*: at most ``max_switches`` switches in any ``switch_period_days`` rolling days.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

SCHOOL_LEVELS = ("elementary", "middle", "high", "out_of_school", "adult")


class Action(StrEnum):
    SELECT = "select"
    SWITCH = "switch"
    CANCEL = "cancel"


@dataclass(frozen=True)
class GroupRule:
    """A slot group (e.g. curricular): how many of its offerings a member may hold at once.

    ``cap=None`` means "no cap of its own" (the seed's 중복가능): only the overall maximum
    applies.
    """

    code: str
    cap: int | None
    label_ko: str
    label_en: str


@dataclass(frozen=True)
class Window:
    starts_on: dt.date
    ends_on: dt.date

    def contains(self, day: dt.date) -> bool:
        return self.starts_on <= day <= self.ends_on


@dataclass(frozen=True)
class PolicyConfig:
    max_total: int
    groups: Mapping[str, GroupRule]
    track_groups: Mapping[str, str]  # track code -> group code
    restrict_levels: bool = True
    switch_windows: tuple[Window, ...] = ()
    max_switches: int = 1
    switch_period_days: int = 30
    cooldown_days: int = 14

    def group_of(self, track: str) -> str:
        return self.track_groups.get(track, track)


def seoul_default_config() -> PolicyConfig:
    """The seed document's rule: 3 at most, 1 curricular, 1 certificate, reading on top."""
    groups = {
        "curricular": GroupRule("curricular", 1, "교과", "curricular"),
        "certificate": GroupRule("certificate", 1, "자격증", "certificate"),
        "reading": GroupRule("reading", None, "독서", "reading"),
    }
    tracks = {
        "elementary": "curricular",
        "middle": "curricular",
        "high": "curricular",
        "ged": "curricular",
        "certificate": "certificate",
        "reading": "reading",
    }
    return PolicyConfig(max_total=3, groups=groups, track_groups=tracks)


@dataclass(frozen=True)
class OfferingInfo:
    id: str
    track: str
    levels: frozenset[str]  # empty = every level
    active: bool = True
    name: str = ""


@dataclass(frozen=True)
class Held:
    """A selection the member holds now."""

    offering: OfferingInfo
    since: dt.date


@dataclass(frozen=True)
class Event:
    """A past change: ``kind`` is select, switch or cancel; for a switch ``left`` is the offering
    left and ``offering`` the one taken; for a cancel ``offering`` is the one left."""

    kind: Action
    on: dt.date
    offering: OfferingInfo
    left: OfferingInfo | None = None


@dataclass(frozen=True)
class MemberState:
    level: str | None
    held: tuple[Held, ...] = ()
    history: tuple[Event, ...] = ()


@dataclass(frozen=True)
class Violation:
    rule: str
    message_ko: str
    message_en: str
    params: Mapping[str, object] = field(default_factory=dict)

    def message(self, language: str | None) -> str:
        return self.message_en if (language or "ko").startswith("en") else self.message_ko


@dataclass(frozen=True)
class Decision:
    violations: tuple[Violation, ...]
    counts_as_switch: bool = False

    @property
    def allowed(self) -> bool:
        return not self.violations

    @property
    def first(self) -> Violation | None:
        return self.violations[0] if self.violations else None


LEVEL_NAMES = {
    "elementary": ("초등학생", "elementary school students"),
    "middle": ("중학생", "middle school students"),
    "high": ("고등학생", "high school students"),
    "out_of_school": ("학교 밖 청소년", "out-of-school youth"),
    "adult": ("대학생·청년", "young adults"),
}


def _levels_text(levels: Iterable[str]) -> tuple[str, str]:
    ordered = [lv for lv in SCHOOL_LEVELS if lv in set(levels)]
    ko = ", ".join(LEVEL_NAMES[lv][0] for lv in ordered)
    en = ", ".join(LEVEL_NAMES[lv][1] for lv in ordered)
    return ko, en


def _switches_in_period(config: PolicyConfig, state: MemberState, on: dt.date) -> int:
    start = on - dt.timedelta(days=config.switch_period_days - 1)
    return sum(
        1 for event in state.history if event.kind == Action.SWITCH and start <= event.on <= on
    )


def _recent_cancel_in_group(
    config: PolicyConfig, state: MemberState, group: str, on: dt.date
) -> bool:
    """Cancelled something in this group within the cool-down: a new pick there is a switch."""
    if config.cooldown_days <= 0:
        return False
    start = on - dt.timedelta(days=config.cooldown_days - 1)
    return any(
        event.kind == Action.CANCEL
        and config.group_of(event.offering.track) == group
        and start <= event.on <= on
        for event in state.history
    )


def _left_recently(config: PolicyConfig, state: MemberState, offering_id: str, on: dt.date) -> bool:
    if config.cooldown_days <= 0:
        return False
    start = on - dt.timedelta(days=config.cooldown_days - 1)
    for event in state.history:
        if not start <= event.on <= on:
            continue
        if event.kind == Action.CANCEL and event.offering.id == offering_id:
            return True
        if event.kind == Action.SWITCH and event.left is not None and event.left.id == offering_id:
            return True
    return False


def _switch_rules(config: PolicyConfig, state: MemberState, on: dt.date) -> list[Violation]:
    found: list[Violation] = []
    if config.switch_windows and not any(w.contains(on) for w in config.switch_windows):
        upcoming = sorted(
            (w for w in config.switch_windows if w.starts_on > on), key=lambda w: w.starts_on
        )
        nxt = upcoming[0] if upcoming else None
        ko = "지금은 변경 기간이 아닙니다."
        en = "Switching is not open now."
        if nxt is not None:
            ko += f" 다음 변경 기간은 {nxt.starts_on.isoformat()}~{nxt.ends_on.isoformat()}입니다."
            en += f" The next window is {nxt.starts_on.isoformat()} to {nxt.ends_on.isoformat()}."
        found.append(
            Violation(
                "change_window",
                ko,
                en,
                {"next_window": nxt.starts_on.isoformat() if nxt else None},
            )
        )
    used = _switches_in_period(config, state, on)
    if used >= config.max_switches:
        found.append(
            Violation(
                "switch_quota",
                f"변경은 {config.switch_period_days}일에 {config.max_switches}번까지 할 수 "
                f"있습니다 (이미 {used}번 변경).",
                f"You may switch at most {config.max_switches} time(s) in "
                f"{config.switch_period_days} days (already {used}).",
                {"max": config.max_switches, "period_days": config.switch_period_days},
            )
        )
    return found


def _composition_rules(
    config: PolicyConfig,
    state: MemberState,
    offering: OfferingInfo,
    held: Sequence[Held],
) -> list[Violation]:
    """Rules on the set the member would hold after taking ``offering`` (``held`` excludes any
    selection being switched away from)."""
    found: list[Violation] = []
    if not offering.active:
        found.append(
            Violation(
                "offering_closed",
                "이 과정은 지금 신청을 받지 않습니다.",
                "This offering is not open for selection.",
            )
        )
    if any(h.offering.id == offering.id for h in held):
        found.append(
            Violation(
                "duplicate",
                "이미 선택한 과정입니다.",
                "You have already selected this offering.",
            )
        )
    if len(held) + 1 > config.max_total:
        found.append(
            Violation(
                "max_total",
                f"과정은 최대 {config.max_total}개까지 선택할 수 있습니다.",
                f"You may select at most {config.max_total} offerings.",
                {"max": config.max_total},
            )
        )
    group_code = config.group_of(offering.track)
    rule = config.groups.get(group_code)
    if rule is not None and rule.cap is not None:
        in_group = sum(1 for h in held if config.group_of(h.offering.track) == group_code)
        if in_group + 1 > rule.cap:
            found.append(
                Violation(
                    "group_cap",
                    f"{rule.label_ko} 과정은 {rule.cap}개만 선택할 수 있습니다.",
                    f"You may hold only {rule.cap} {rule.label_en} offering(s).",
                    {"group": group_code, "cap": rule.cap},
                )
            )
    if (
        config.restrict_levels
        and offering.levels
        and (state.level is None or state.level not in offering.levels)
    ):
        ko, en = _levels_text(offering.levels)
        found.append(
            Violation(
                "school_level",
                f"이 과정은 {ko} 대상입니다.",
                f"This offering is for {en} only.",
                {"levels": sorted(offering.levels), "level": state.level},
            )
        )
    return found


def evaluate(
    config: PolicyConfig,
    state: MemberState,
    action: Action,
    *,
    on: dt.date,
    offering: OfferingInfo | None = None,
    leave: OfferingInfo | None = None,
) -> Decision:
    """Decide whether ``action`` is allowed on day ``on``.

    - select: ``offering`` is the offering to take.
    - switch: ``leave`` is a held offering, ``offering`` the one to take instead.
    - cancel: ``leave`` is the held offering to give up (always allowed while held).
    """
    held = list(state.held)
    if action == Action.CANCEL:
        if leave is None or not any(h.offering.id == leave.id for h in held):
            return Decision(
                (
                    Violation(
                        "not_held",
                        "선택하지 않은 과정입니다.",
                        "You do not hold this offering.",
                    ),
                )
            )
        return Decision(())
    if offering is None:
        raise ValueError("offering is required for select and switch")
    found: list[Violation] = []
    counts_as_switch = False
    if action == Action.SELECT:
        found.extend(_composition_rules(config, state, offering, held))
        if _left_recently(config, state, offering.id, on):
            found.append(_reselect_violation(config))
        if _recent_cancel_in_group(config, state, config.group_of(offering.track), on):
            counts_as_switch = True
            found.extend(_switch_rules(config, state, on))
    elif action == Action.SWITCH:
        counts_as_switch = True
        current = next((h for h in held if leave is not None and h.offering.id == leave.id), None)
        if current is None:
            found.append(
                Violation("not_held", "선택하지 않은 과정입니다.", "You do not hold this offering.")
            )
            return Decision(tuple(found), counts_as_switch)
        remaining = [h for h in held if h is not current]
        found.extend(_composition_rules(config, state, offering, remaining))
        if offering.id == current.offering.id:
            found.append(
                Violation(
                    "same_offering",
                    "같은 과정으로는 변경할 수 없습니다.",
                    "You cannot switch to the same offering.",
                )
            )
        held_days = (on - current.since).days
        if held_days < config.cooldown_days:
            until = current.since + dt.timedelta(days=config.cooldown_days)
            found.append(
                Violation(
                    "cooldown",
                    f"선택한 지 {config.cooldown_days}일이 지나야 변경할 수 있습니다 "
                    f"({until.isoformat()}부터 가능).",
                    f"A selection must be kept {config.cooldown_days} days before switching "
                    f"(possible from {until.isoformat()}).",
                    {"days": config.cooldown_days, "from": until.isoformat()},
                )
            )
        if _left_recently(config, state, offering.id, on):
            found.append(_reselect_violation(config))
        found.extend(_switch_rules(config, state, on))
    return Decision(tuple(found), counts_as_switch)


def _reselect_violation(config: PolicyConfig) -> Violation:
    return Violation(
        "cooldown",
        f"그만둔 과정은 {config.cooldown_days}일이 지나야 다시 선택할 수 있습니다.",
        f"An offering you left can be selected again only after {config.cooldown_days} days.",
        {"days": config.cooldown_days},
    )


def rules_in_words(config: PolicyConfig, language: str | None = "ko") -> list[str]:
    """The policy as plain sentences for the member's catalog page."""
    en = (language or "ko").startswith("en")
    lines: list[str] = []
    if en:
        lines.append(f"You may select up to {config.max_total} offerings in total.")
    else:
        lines.append(f"과정은 모두 합쳐 최대 {config.max_total}개까지 선택할 수 있습니다.")
    for rule in config.groups.values():
        if rule.cap is None:
            lines.append(
                f"{rule.label_en.capitalize()} offerings may be added on top."
                if en
                else f"{rule.label_ko} 과정은 추가로 선택할 수 있습니다(중복 가능)."
            )
        else:
            lines.append(
                f"{rule.label_en.capitalize()}: choose {rule.cap}."
                if en
                else f"{rule.label_ko} 과정은 {rule.cap}개를 선택할 수 있습니다(택{rule.cap})."
            )
    if config.restrict_levels:
        lines.append(
            "Each offering is open to the school levels it targets."
            if en
            else "각 과정은 대상 학교급의 학습자만 선택할 수 있습니다."
        )
    if config.switch_windows:
        spans = ", ".join(f"{w.starts_on}~{w.ends_on}" for w in config.switch_windows)
        lines.append(f"Switching is open during: {spans}." if en else f"변경 기간: {spans}.")
    else:
        lines.append("Switching is open all year." if en else "변경은 연중 가능합니다.")
    lines.append(
        f"At most {config.max_switches} switch(es) in {config.switch_period_days} days; "
        f"keep a selection {config.cooldown_days} days before switching it."
        if en
        else f"변경은 {config.switch_period_days}일에 {config.max_switches}번까지이며, 선택 후 "
        f"{config.cooldown_days}일이 지나야 변경할 수 있습니다."
    )
    lines.append(
        "Cancelling is possible at any time; your seat is then released."
        if en
        else "취소는 언제든지 할 수 있으며, 취소하면 좌석이 반납됩니다."
    )
    return lines
