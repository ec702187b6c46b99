"""Mentor matching, a pure module (no Django): hard constraints, scores, exact optimum.

The problem
-----------
Learners are assigned to mentors; a mentor takes at most ``capacity`` learners (a group of
1–4); a learner gets at most one mentor. A pair is *feasible* when every hard constraint holds:

- mode: an online learner needs a mentor who meets online; an offline learner a mentor who
  meets offline and reaches the learner's district (one of the districts the mentor named, or
  within ``max_distance_km`` of one of them); an "either" learner accepts both;
- the mentor teaches the learner's school level and at least one of the learner's subjects;
- their weekly availability shares at least ``min_common_slots`` slots;
- stated preferences: every language the learner needs, the mentor's gender if one was asked
  for, and no mentor the learner must not meet again (``excluded_mentors``).

A feasible pair has an integer score, the sum of components (see :func:`explain_pair`): a base
for being matched, subject fit, the mentor's major against the learner's desired major, shared
interests, availability overlap and continuity with a previous mentor. The engine returns an
assignment of maximum total score — exactly, not approximately.

How it is solved exactly at city scale
--------------------------------------
1. *Classes.* Learners whose attributes are identical have identical rows in the score matrix,
   so they are interchangeable: they are aggregated into one supply node with a multiplicity.
   Mentors with identical attributes likewise become one node whose capacity is the sum.
   Learners with a previous or excluded mentor, and those mentors, stay individual.
2. *One scan.* Learner classes are grouped by (school level, mode, district) with the mentor
   classes that can serve them (large groups split by subject set), and every group is scored
   in cache-sized blocks of uint8 (``score + 1``, 0 when infeasible): bit masks cut into
   bytes, popcounts, components added as step sums, languages, gender and exclusions checked
   per pair. The scan keeps each learner class's best score and three kinds of candidate
   arcs: the best learner classes of every mentor class (a running threshold per column, no
   sorting), the first learner classes for which a mentor class is one of their best (so that
   mentors whom nobody ranks first still get learners who would take them), and, for the
   learner classes whose best score is among the best ``contenders`` × places, up to
   ``candidates_per_class`` mentor classes tied at their best.
3. *Min-cost flow.* OR-Tools' ``SimpleMinCostFlow`` solves source → learner class → mentor
   class → sink on the candidate arcs, with cost ``-score`` (divided by its common step) and a
   zero-cost bypass for unmatched learners; only learner classes with an arc are nodes.
4. *Certificate and pricing.* Node potentials (LP duals) of the restricted optimum are computed
   by Bellman–Ford on the residual graph. By LP duality the restricted optimum is optimal for
   the full problem if and only if no arc left out has a negative reduced cost, i.e. no
   feasible pair with ``score(t, u) > d[t] - d[u]``. Pricing checks the left-out pairs (only
   mentor classes with ``d[u] > d[t] - best_score(t)`` can violate, which prunes most of the
   work) and returns, per learner class, the arcs of highest gain, tight ones included. Then:
   arcs that are not tight and carry no flow are dropped, the new arcs enter, and the previous
   optimum is re-optimised rather than solved afresh (:func:`_reoptimize`: violating arcs are
   saturated and the excess is sent back along shortest paths of reduced cost, Dijkstra and a
   maximum flow per phase; its potentials, the flow's conservation and capacities are checked
   at the end). After the first full round, pricing re-checks only what the new potentials can
   have broken (:class:`_Pricing`). The loop ends when a round sees no violating pair at all:
   the result is a proven optimum of the complete problem, whatever the candidates.
5. *Disaggregation.* Class-level flows are turned into learner → mentor assignments, each with
   its score by component (vectorised :func:`explain_pair`).

Options: ``fairness`` first maximises the worst-off matched learner's score (keeping the number
of matched learners of the plain optimum), then the total; ``cohesion`` runs a second stage
that, among the optimal assignments of the first stage, prefers groups of similar grade and
subjects (lexicographic costs, so the first-stage total is kept exactly).
"""

from __future__ import annotations

import math
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from ortools.graph.python import max_flow, min_cost_flow

_GAIN_LEVELS = 256  # pricing ranks the (small integer) gains of a row by a histogram this wide
LEARNER_MODES = ("online", "offline", "either")
MENTOR_MODES = ("online", "offline", "both")
_MODE_CODE = {"online": 0, "offline": 1, "either": 2}
COMPONENTS = ("base", "subject", "major", "interest", "availability", "continuity")


@dataclass(frozen=True)
class LearnerIn:
    key: str
    school_level: str
    subjects: frozenset[str]
    grade: int = 0
    desired_major: str = ""
    interests: frozenset[str] = frozenset()
    mode: str = "online"
    district: str = ""
    availability: frozenset[str] = frozenset()
    languages: frozenset[str] = frozenset()
    mentor_gender: str = ""
    previous_mentor: str = ""
    excluded_mentors: frozenset[str] = frozenset()


@dataclass(frozen=True)
class MentorIn:
    key: str
    capacity: int
    school_levels: frozenset[str]
    subjects: frozenset[str]
    major_field: str = ""
    interests: frozenset[str] = frozenset()
    mode: str = "online"
    districts: frozenset[str] = frozenset()
    availability: frozenset[str] = frozenset()
    languages: frozenset[str] = frozenset()
    gender: str = ""


@dataclass(frozen=True)
class Weights:
    base: int = 40
    subject: int = 30
    major: int = 20
    interest: int = 10
    availability: int = 15
    continuity: int = 25

    def max_score(self) -> int:
        return (
            self.base + self.subject + self.major + self.interest + self.availability
        ) + self.continuity


@dataclass(frozen=True)
class Options:
    weights: Weights = field(default_factory=Weights)
    min_common_slots: int = 1
    max_distance_km: float | None = None
    district_coords: Mapping[str, tuple[float, float]] = field(default_factory=dict)
    fairness: bool = False
    cohesion: bool = False
    # Speed only: whatever these are, the result is the certified optimum.
    candidates_per_class: int = 12  # best-tied mentor classes per contending learner class
    mentor_candidates: int = 0  # best learner classes per mentor class (0: 4 x group size)
    contenders: float = 2.0  # learner classes with the best best-scores, x places
    near_best: int = 16  # learner classes per mentor class for which it is a best tie
    keep_steps: int = 0  # arcs kept between rounds: tight, and this many score steps below
    pricing_per_row: int = 4  # arcs a pricing round adds per learner class
    pricing_tolerance: int = 1  # 1: pricing also adds tight arcs
    reoptimize_phases: int = 40  # beyond this, solve afresh with OR-Tools
    full_pricing_share: float = 0.5  # re-check everything when this share is dirty
    block_cells: int = 262_144  # pairs per scoring block
    split_cells: int = 2_000_000  # groups larger than this are split by subject set...
    split_rows: int = 64  # ...for sets with at least this many learner classes


@dataclass(frozen=True)
class Proposal:
    learner: str
    mentor: str
    score: int
    components: dict[str, int]


@dataclass
class Result:
    proposals: list[Proposal]
    unmatched: list[str]
    total_score: int
    worst_score: int | None
    stats: dict[str, Any]


class MatchingError(ValueError):
    pass


# --------------------------------------------------------------------------------------------
# The scalar definition (used to explain a proposal, and as the reference in tests)
# --------------------------------------------------------------------------------------------


def _haversine_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat1, lon1 = map(math.radians, a)
    lat2, lon2 = map(math.radians, b)
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371.0 * math.asin(math.sqrt(h))


def _within(options: Options) -> dict[str, frozenset[str]]:
    km = options.max_distance_km
    coords = options.district_coords
    if km is None or not coords:
        return {}
    return {
        a: frozenset(b for b, cb in coords.items() if _haversine_km(ca, cb) <= km)
        for a, ca in coords.items()
    }


def mentor_reach(
    mentor: MentorIn, options: Options, within: dict[str, frozenset[str]] | None = None
) -> frozenset[str]:
    """Districts where the mentor can meet offline: the ones named, and those within
    ``max_distance_km`` of one of them."""
    if mentor.mode == "online":
        return frozenset()
    if within is None:
        within = _within(options)
    reach = set(mentor.districts)
    for d in mentor.districts:
        reach |= within.get(d, frozenset())
    return frozenset(reach)


def infeasibility_reasons(
    learner: LearnerIn,
    mentor: MentorIn,
    options: Options,
    reach: frozenset[str] | None = None,
) -> list[str]:
    """Codes of the hard constraints the pair breaks (empty when feasible)."""
    reasons = []
    online_ok = mentor.mode in ("online", "both")
    if reach is None:
        reach = mentor_reach(mentor, options)
    offline_ok = mentor.mode in ("offline", "both") and learner.district in reach
    if learner.mode == "online" and not online_ok:
        reasons.append("mode")
    elif learner.mode == "offline" and not offline_ok:
        reasons.append("district" if mentor.mode != "online" else "mode")
    elif learner.mode == "either" and not (online_ok or offline_ok):
        reasons.append("district")
    if learner.school_level not in mentor.school_levels:
        reasons.append("school_level")
    if not (learner.subjects & mentor.subjects):
        reasons.append("subjects")
    if len(learner.availability & mentor.availability) < options.min_common_slots:
        reasons.append("availability")
    if not learner.languages <= mentor.languages:
        reasons.append("language")
    if learner.mentor_gender and learner.mentor_gender != mentor.gender:
        reasons.append("gender")
    if mentor.key in learner.excluded_mentors:
        reasons.append("excluded")
    return reasons


def explain_pair(learner: LearnerIn, mentor: MentorIn, options: Options) -> dict[str, int]:
    """The score of a pair by component (assumes the pair is feasible)."""
    w = options.weights
    n_subjects = max(len(learner.subjects), 1)
    common_subjects = len(learner.subjects & mentor.subjects)
    common_interests = min(len(learner.interests & mentor.interests), 2)
    common_slots = min(len(learner.availability & mentor.availability), 3)
    major = bool(learner.desired_major) and learner.desired_major == mentor.major_field
    return {
        "base": w.base,
        "subject": w.subject * common_subjects // n_subjects,
        "major": w.major if major else 0,
        "interest": w.interest * common_interests // 2,
        "availability": w.availability * common_slots // 3,
        "continuity": w.continuity if learner.previous_mentor == mentor.key else 0,
    }


def pair_score(learner: LearnerIn, mentor: MentorIn, options: Options) -> int | None:
    """The score of a pair, or None when a hard constraint forbids it."""
    if infeasibility_reasons(learner, mentor, options):
        return None
    return sum(explain_pair(learner, mentor, options).values())


def validate(
    learners: Sequence[LearnerIn], mentors: Sequence[MentorIn], weights: Weights | None = None
) -> None:
    keys = [m.key for m in mentors]
    if len(set(keys)) != len(keys):
        raise MatchingError("mentor keys must be unique")
    lkeys = [learner.key for learner in learners]
    if len(set(lkeys)) != len(lkeys):
        raise MatchingError("learner keys must be unique")
    if weights is not None:
        for name in COMPONENTS:
            if not 0 <= getattr(weights, name) <= 1000:
                raise MatchingError(f"weight {name} must be between 0 and 1000")
    for m in mentors:
        if m.capacity < 0:
            raise MatchingError(f"mentor {m.key}: capacity must not be negative")
        if m.mode not in MENTOR_MODES:
            raise MatchingError(f"mentor {m.key}: unknown mode {m.mode!r}")
    for learner in learners:
        if learner.mode not in LEARNER_MODES:
            raise MatchingError(f"learner {learner.key}: unknown mode {learner.mode!r}")


# --------------------------------------------------------------------------------------------
# Encoding into classes
# --------------------------------------------------------------------------------------------


class _Vocab:
    def __init__(self, name: str, limit: int = 62) -> None:
        self.name = name
        self.limit = limit
        self.index: dict[str, int] = {}
        self._masks: dict[frozenset[str], int] = {}

    def idx(self, item: str) -> int:
        if item not in self.index:
            if len(self.index) >= self.limit:
                raise MatchingError(f"more than {self.limit} distinct {self.name}")
            self.index[item] = len(self.index)
        return self.index[item]

    def mask(self, items: Iterable[str]) -> int:
        key = items if isinstance(items, frozenset) else frozenset(items)
        value = self._masks.get(key)
        if value is None:
            value = 0
            for item in sorted(key):  # sorted: bit positions do not depend on hash order
                value |= 1 << self.idx(item)
            self._masks[key] = value
        return value


# Column layout of the encoded class tables.
_L_COLS = (
    "level", "subj", "major", "interest", "mode", "district", "avail", "lang", "gender",
    "grade", "special",
)  # fmt: skip
_M_COLS = (
    "levels", "subj", "major", "interest", "online", "offline", "reach", "avail", "lang",
    "gender", "special",
)  # fmt: skip

# Score steps: a component worth ``f(c)`` for ``c`` common items is added as
# ``sum(delta * (c >= k) for k, delta in steps)`` (no table look-up, no division per pair).
_Steps = tuple[tuple[int, int], ...]


def _steps(weight: int, cap: int, divisor: int) -> _Steps:
    """Steps of ``weight * min(c, cap) // divisor``."""
    values = [weight * min(c, cap) // divisor for c in range(cap + 1)]
    return tuple(
        (k, values[k] - values[k - 1]) for k in range(1, cap + 1) if values[k] > values[k - 1]
    )


@dataclass
class _Problem:
    L: dict[str, np.ndarray]  # learner-class attributes (int64, see _L_COLS)
    M: dict[str, np.ndarray]  # mentor-class attributes (int64, see _M_COLS)
    l_count: np.ndarray  # learners per class
    m_cap: np.ndarray  # capacity per mentor class
    l_order: np.ndarray  # learner indices by class: class t is l_order[l_start[t]:l_start[t+1]]
    l_start: np.ndarray
    m_order: np.ndarray
    m_start: np.ndarray
    l_nsubj: np.ndarray
    l_subj_factor: np.ndarray  # weight // n_subjects where that is exact for every count, else -1
    special_rows: dict[int, dict[int, int | None]]  # learner class -> {mentor class: delta|None}
    sp_row: np.ndarray  # learner classes with an entry in special_rows
    groups: list[tuple[np.ndarray, np.ndarray]]  # (learner class rows, mentor class cols)
    # Scoring features: bit masks cut into bytes, so that every pairwise operation is on uint8.
    f_subj: tuple[list[np.ndarray], list[np.ndarray]]
    f_avail: tuple[list[np.ndarray], list[np.ndarray]]
    f_interest: tuple[list[np.ndarray], list[np.ndarray]]
    f_lang: tuple[list[np.ndarray], list[np.ndarray]]
    l_major: np.ndarray
    m_major: np.ndarray
    l_gender: np.ndarray  # wished gender (0: none)
    m_gender: np.ndarray
    sdt: type[np.unsignedinteger[Any]]  # dtype of encoded scores (score + 1; 0 = infeasible)
    weights: Weights
    min_slots: int
    avail_steps: _Steps
    interest_steps: _Steps

    def l_members(self, t: int) -> np.ndarray:
        return self.l_order[self.l_start[t] : self.l_start[t + 1]]

    def m_members(self, u: int) -> np.ndarray:
        return self.m_order[self.m_start[u] : self.m_start[u + 1]]


def _bytes(values: np.ndarray, nbits: int) -> list[np.ndarray]:
    return [((values >> (8 * k)) & 0xFF).astype(np.uint8) for k in range(max(1, (nbits + 7) // 8))]


def _class_index(
    class_of: np.ndarray, n: int, weights: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    order = np.argsort(class_of, kind="stable")
    size = np.bincount(class_of, minlength=n).astype(np.int64)
    start = np.concatenate([[0], np.cumsum(size)]).astype(np.int64)
    total = (
        size
        if weights is None
        else np.bincount(class_of, weights=weights, minlength=n).round().astype(np.int64)
    )
    return order, start, total


def _encode(
    learners: Sequence[LearnerIn], mentors: Sequence[MentorIn], options: Options
) -> _Problem:
    levels, subjects, majors = _Vocab("school levels"), _Vocab("subjects"), _Vocab("majors", 10**9)
    interests, slots, langs = _Vocab("interests"), _Vocab("slots"), _Vocab("languages")
    districts, genders = _Vocab("districts"), _Vocab("genders", 10**9)
    genders.idx("")
    majors.idx("")
    mentor_index = {m.key: i for i, m in enumerate(mentors)}
    special_mentors: set[int] = set()
    for learner in learners:
        if learner.previous_mentor or learner.excluded_mentors:
            for key in (learner.previous_mentor, *learner.excluded_mentors):
                if key in mentor_index:
                    special_mentors.add(mentor_index[key])
    if options.cohesion:
        special_mentors = set(range(len(mentors)))

    # Identical rows form one class (a dict keeps the order in which classes first appear).
    within = _within(options)
    reach_of: dict[tuple[str, frozenset[str]], int] = {}
    m_classes: dict[tuple[int, ...], int] = {}
    m_class_of = np.empty(len(mentors), dtype=np.int64)
    for i, m in enumerate(mentors):
        reach = reach_of.get((m.mode, m.districts))
        if reach is None:
            reach = districts.mask(mentor_reach(m, options, within))
            reach_of[(m.mode, m.districts)] = reach
        row = (
            levels.mask(m.school_levels),
            subjects.mask(m.subjects),
            majors.idx(m.major_field) if m.major_field else -1,
            interests.mask(m.interests),
            int(m.mode in ("online", "both")),
            int(m.mode in ("offline", "both")),
            reach,
            slots.mask(m.availability),
            langs.mask(m.languages),
            genders.idx(m.gender),
            i if i in special_mentors else -1,
        )
        m_class_of[i] = m_classes.setdefault(row, len(m_classes))
    l_classes: dict[tuple[int, ...], int] = {}
    l_class_of = np.empty(len(learners), dtype=np.int64)
    cohesion = options.cohesion
    for i, x in enumerate(learners):
        special = bool(x.previous_mentor or x.excluded_mentors)
        row = (
            levels.idx(x.school_level),
            subjects.mask(x.subjects),
            majors.idx(x.desired_major) if x.desired_major else -2,
            interests.mask(x.interests),
            _MODE_CODE[x.mode],
            districts.idx(x.district) if x.mode != "online" and x.district else -1,
            slots.mask(x.availability),
            langs.mask(x.languages),
            genders.idx(x.mentor_gender) if x.mentor_gender else 0,
            x.grade if cohesion else 0,
            i if special else -1,
        )
        l_class_of[i] = l_classes.setdefault(row, len(l_classes))

    T, U = len(l_classes), len(m_classes)
    luniq = np.array(list(l_classes), dtype=np.int64).reshape(T, len(_L_COLS))
    muniq = np.array(list(m_classes), dtype=np.int64).reshape(U, len(_M_COLS))
    L = {name: np.ascontiguousarray(luniq[:, j]) for j, name in enumerate(_L_COLS)}
    M = {name: np.ascontiguousarray(muniq[:, j]) for j, name in enumerate(_M_COLS)}
    l_order, l_start, l_count = _class_index(l_class_of, T)
    caps = np.array([m.capacity for m in mentors], dtype=np.float64)
    m_order, m_start, m_cap = _class_index(m_class_of, U, caps)
    l_nsubj = np.bitwise_count(L["subj"]).astype(np.int64)

    special_rows: dict[int, dict[int, int | None]] = {}
    for t in np.nonzero(L["special"] >= 0)[0].tolist():
        learner = learners[int(L["special"][t])]
        adjust: dict[int, int | None] = {}
        if learner.previous_mentor in mentor_index:
            u = int(m_class_of[mentor_index[learner.previous_mentor]])
            adjust[u] = options.weights.continuity
        for key in learner.excluded_mentors:
            if key in mentor_index:
                adjust[int(m_class_of[mentor_index[key]])] = None
        if adjust:
            special_rows[t] = adjust
    sp_row = np.zeros(T, dtype=bool)
    sp_row[list(special_rows)] = True

    groups = _groups(L, M, m_cap, options)
    w = options.weights
    top = w.max_score() + 1
    sdt: type[np.unsignedinteger[Any]] = (
        np.uint8 if top <= 255 else np.uint16 if top <= 65535 else np.uint32
    )
    nb = (len(subjects.index), len(slots.index), len(interests.index), len(langs.index))
    n_safe = np.maximum(l_nsubj, 1)
    linear = (w.subject % n_safe == 0) & (w.subject // n_safe <= np.iinfo(sdt).max)
    factor = np.where(linear, w.subject // n_safe, -1)
    return _Problem(
        L, M, l_count, m_cap, l_order, l_start, m_order, m_start, l_nsubj,
        factor.astype(np.int64 if (factor < 0).any() else sdt), special_rows, sp_row,
        groups,
        (_bytes(L["subj"], nb[0]), _bytes(M["subj"], nb[0])),
        (_bytes(L["avail"], nb[1]), _bytes(M["avail"], nb[1])),
        (_bytes(L["interest"], nb[2]), _bytes(M["interest"], nb[2])),
        (_bytes(L["lang"], nb[3]), _bytes(M["lang"], nb[3])),
        L["major"].astype(np.int32), M["major"].astype(np.int32),
        L["gender"].astype(np.int32), M["gender"].astype(np.int32),
        sdt, w, max(options.min_common_slots, 0),
        _steps(w.availability, 3, 3), _steps(w.interest, 2, 2),
    )  # fmt: skip


def _groups(
    L: dict[str, np.ndarray], M: dict[str, np.ndarray], m_cap: np.ndarray, options: Options
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Learner classes sharing (school level, mode, district) with the mentor classes that can
    serve them: mode, reach and school level are settled per group, so blocks never span
    pairs those constraints forbid. A large group is split further by subject set (its
    mentors must share one), except for rare sets, which stay together with every mentor."""
    groups: list[tuple[np.ndarray, np.ndarray]] = []
    if not len(L["level"]) or not len(M["levels"]):
        return groups
    keys = np.stack([L["level"], L["mode"], L["district"]], axis=1)
    guniq, ginv = np.unique(keys, axis=0, return_inverse=True)
    ginv = ginv.reshape(-1)
    order = np.argsort(ginv, kind="stable")
    bounds = np.searchsorted(ginv[order], np.arange(len(guniq) + 1))
    online = M["online"] == 1
    base = m_cap > 0
    for g, (level, mode, district) in enumerate(guniq.tolist()):
        rows = order[bounds[g] : bounds[g + 1]]
        ok = base & ((M["levels"] >> level) & 1 == 1)
        offline = (M["offline"] == 1) & (
            ((M["reach"] >> district) & 1 == 1) if district >= 0 else False
        )
        if mode == 0:
            ok &= online
        elif mode == 1:
            ok &= offline
        else:
            ok &= online | offline
        cols = np.nonzero(ok)[0]
        if not len(cols):
            continue
        if len(rows) * len(cols) < options.split_cells:
            groups.append((rows, cols))
            continue
        subj = L["subj"][rows]
        masks, counts = np.unique(subj, return_counts=True)
        rest = []
        for mask, n in zip(masks.tolist(), counts.tolist(), strict=True):
            these = rows[subj == mask]
            if n < options.split_rows:
                rest.append(these)
                continue
            sub_cols = cols[(M["subj"][cols] & mask) != 0]
            if len(sub_cols):
                groups.append((these, sub_cols))
        if rest:
            groups.append((np.concatenate(rest), cols))
    return groups


def _common(
    feature: tuple[list[np.ndarray], list[np.ndarray]], rows: np.ndarray, cols: np.ndarray
) -> np.ndarray:
    """Number of common items (uint8) of rows × cols."""
    count: np.ndarray | None = None
    for a, b in zip(*feature, strict=True):
        x = np.bitwise_and(a[rows][:, None], b[cols][None, :])
        np.bitwise_count(x, out=x)
        if count is None:
            count = x
        else:
            count += x
    assert count is not None
    return count


def _add_steps(s: np.ndarray, c: np.ndarray, steps: _Steps, tmp: np.ndarray) -> None:
    flag = np.empty(c.shape, dtype=bool)
    for k, delta in steps:
        np.greater_equal(c, k, out=flag)
        np.multiply(flag, s.dtype.type(delta), out=tmp)
        s += tmp


def _add_subject(s: np.ndarray, cs: np.ndarray, n: int, weight: int, tmp: np.ndarray) -> None:
    n = max(n, 1)
    if weight % n == 0:  # linear: common subjects never exceed the learner's own
        np.multiply(cs, s.dtype.type(weight // n), out=tmp)
        s += tmp
    else:
        _add_steps(s, cs, _steps(weight, n, n), tmp)


def _scores(p: _Problem, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """Encoded scores of learner classes ``rows`` × mentor classes ``cols`` of one group:
    ``score + 1`` where the pair is feasible, 0 where it is not. Mode, reach and school level
    are settled by the group; subjects, availability, languages, gender and exclusions
    here."""
    w = p.weights
    sdt = p.sdt
    shape = (len(rows), len(cols))
    tmp = np.empty(shape, dtype=sdt)
    cs = _common(p.f_subj, rows, cols)
    ok = cs > 0
    ca = _common(p.f_avail, rows, cols)
    if p.min_slots > 0:
        ok &= ca >= p.min_slots
    for a, b in zip(*p.f_lang, strict=True):  # every language the learner needs
        need = a[rows]
        if need.any():
            ok &= (need[:, None] & ~b[cols][None, :]) == 0
    wish = p.l_gender[rows]
    if wish.any():
        ok &= (wish[:, None] == 0) | (wish[:, None] == p.m_gender[cols][None, :])
    s = np.full(shape, w.base + 1, dtype=sdt)
    ns = p.l_nsubj[rows]
    factor = p.l_subj_factor[rows]
    if factor.min(initial=0) >= 0:  # linear for every row: common subjects x weight // n
        np.multiply(cs, factor.astype(sdt)[:, None], out=tmp)
        s += tmp
    elif ns.min() == ns.max():
        _add_subject(s, cs, int(ns[0]), w.subject, tmp)
    else:
        for n in np.unique(ns).tolist():
            sel = ns == n
            part = np.zeros((int(sel.sum()), len(cols)), dtype=sdt)
            _add_subject(part, cs[sel], n, w.subject, np.empty_like(part))
            s[sel] += part
    _add_steps(s, ca, p.avail_steps, tmp)
    if p.interest_steps:
        _add_steps(s, _common(p.f_interest, rows, cols), p.interest_steps, tmp)
    if w.major:
        eq = np.equal(p.l_major[rows][:, None], p.m_major[cols][None, :])
        np.multiply(eq, sdt(w.major), out=tmp)
        s += tmp
    np.multiply(s, ok, out=s)
    if p.special_rows:
        for i in np.nonzero(p.sp_row[rows])[0].tolist():
            for u, delta in p.special_rows[int(rows[i])].items():
                for j in np.nonzero(cols == u)[0].tolist():
                    if delta is None:
                        s[i, j] = 0
                    elif s[i, j]:
                        s[i, j] += delta
    return s


def _iter_blocks(p: _Problem, options: Options) -> Iterable[tuple[np.ndarray, np.ndarray]]:
    for rows, cols in p.groups:
        step = max(1, options.block_cells // max(len(cols), 1))
        for start in range(0, len(rows), step):
            yield rows[start : start + step], cols


# --------------------------------------------------------------------------------------------
# Flow
# --------------------------------------------------------------------------------------------


@dataclass
class _Arcs:
    t: np.ndarray
    u: np.ndarray
    s: np.ndarray

    def keys(self, n_cols: int) -> np.ndarray:
        return self.t * n_cols + self.u


def _no_arcs() -> _Arcs:
    return _Arcs(*(np.zeros(0, dtype=np.int64) for _ in range(3)))


def _unique_arcs(ts: list[np.ndarray], us: list[np.ndarray], ss: list[np.ndarray], U: int) -> _Arcs:
    if not ts:
        return _no_arcs()
    t = np.concatenate(ts).astype(np.int64)
    u = np.concatenate(us).astype(np.int64)
    s = np.concatenate(ss).astype(np.int64)
    _, first = np.unique(t * U + u, return_index=True)
    return _Arcs(t[first], u[first], s[first])


class _ColumnPool:
    """The best learner classes seen so far for every mentor class, at least ``depth`` of them
    where there are (ties at the threshold may add a few), with a running threshold per column
    (an encoded value) that a new pair must exceed to enter."""

    def __init__(self, U: int, depth: int, sdt: type[np.unsignedinteger[Any]]) -> None:
        self.U = U
        self.depth = depth
        self.levels = int(np.iinfo(sdt).max) + 1 if sdt is np.uint8 else 0
        self.thr = np.zeros(U, dtype=sdt)
        self.parts: list[tuple[np.ndarray, ...]] = []
        self.pending = 0
        self.limit = max(1_000_000, 4 * depth * U)

    def add(self, rows: np.ndarray, cols: np.ndarray, sc: np.ndarray) -> None:
        hit = np.flatnonzero(sc > self.thr[cols])
        if not len(hit):
            return
        i, j = np.divmod(hit, len(cols))
        self.parts.append((rows[i], cols[j], sc.reshape(-1)[hit]))
        self.pending += len(hit)
        if self.pending > self.limit:
            self.compact()

    def compact(self) -> None:
        if len(self.parts) < 2 and not self.pending:
            return
        cols = [np.concatenate(x) for x in zip(*self.parts, strict=True)]
        u, s = cols[1], cols[2]
        if self.levels:  # small values: thresholds from per-column histograms, no sorting
            K = self.levels
            hist = np.bincount(u * K + s, minlength=self.U * K).reshape(self.U, K)
            at_least = np.cumsum(hist[:, ::-1], axis=1)[:, ::-1]  # entries with value >= k
            enough = at_least >= self.depth
            thr = np.where(enough.any(axis=1), K - 1 - np.argmax(enough[:, ::-1], axis=1), 0)
            self.thr = np.maximum(self.thr, thr.astype(self.thr.dtype))
            keep = s >= self.thr[u]
            cols = [x[keep] for x in cols]
        else:
            cols = self._truncate(cols)
        self.parts = [tuple(cols)]
        self.pending = 0

    def _truncate(self, cols: list[np.ndarray]) -> list[np.ndarray]:
        u, s = cols[1], cols[2]
        order = np.lexsort((-s.astype(np.int64), u))
        cols = [x[order] for x in cols]
        u = cols[1]
        rank = np.arange(len(u)) - np.searchsorted(u, u, side="left")
        keep = rank < self.depth
        cols = [x[keep] for x in cols]
        last = rank[keep] == self.depth - 1
        self.thr[cols[1][last]] = cols[2][last]
        return cols

    def arcs(self) -> tuple[np.ndarray, ...]:
        if not self.parts:
            empty = np.zeros(0, dtype=np.int64)
            return empty, empty, empty
        self.compact()
        return tuple(self._truncate(list(self.parts[0])))


def _candidates(p: _Problem, options: Options, full: bool) -> tuple[_Arcs, np.ndarray, int]:
    """Candidate arcs (all feasible class arcs when ``full``) and each learner class's best
    feasible score (-1 if none), in one pass over the blocks. Candidates are the best learner
    classes of every mentor class (``mentor_candidates`` deep: mentors are the scarce side)
    and, with ``candidates_per_class``, the best mentor class of every learner class; pricing
    later adds whatever is missing."""
    T, U = len(p.l_count), len(p.m_cap)
    best = np.zeros(T, dtype=p.sdt)
    seats = p.m_cap // np.maximum(np.diff(p.m_start), 1)
    depth = options.mentor_candidates or 4 * max(1, int(seats.max(initial=1)))
    pool = _ColumnPool(U, depth, p.sdt)
    near_best = options.near_best
    near_count = np.zeros(U, dtype=np.int64)
    nt: list[np.ndarray] = []
    nu: list[np.ndarray] = []
    ns_: list[np.ndarray] = []
    k_row = options.candidates_per_class
    lt: list[np.ndarray] = []
    lu: list[np.ndarray] = []
    ls: list[np.ndarray] = []
    ts: list[np.ndarray] = []
    us: list[np.ndarray] = []
    ss: list[np.ndarray] = []
    pairs = 0
    for rows, cols in _iter_blocks(p, options):
        sc = _scores(p, rows, cols)
        pairs += sc.size
        best[rows] = np.maximum(best[rows], sc.max(axis=1))
        if full:
            i, j = np.nonzero(sc)
            ts.append(rows[i])
            us.append(cols[j])
            ss.append(sc[i, j])
            continue
        pool.add(rows, cols, sc)
        if k_row or near_best:
            # The mentor classes tied at each learner class's best score.
            rmax = sc.max(axis=1)
            r, c = np.divmod(
                np.flatnonzero((sc == rmax[:, None]) & (rmax[:, None] > 0)), sc.shape[1]
            )
        if near_best and len(r):
            # Every mentor class takes the first near_best learner classes for which it is
            # one of the best: mentors nobody ranks first by score still get learners who
            # would take them (their pool by score is shared with many similar mentors).
            u = cols[c]
            order = np.argsort(u, kind="stable")
            uo = u[order]
            rank = np.arange(len(uo)) - np.searchsorted(uo, uo, side="left")
            take = order[rank < near_best - near_count[uo]]
            near_count += np.bincount(u[take], minlength=U)
            nt.append(rows[r[take]])
            nu.append(u[take])
            ns_.append(sc[r[take], c[take]])
        if k_row and len(r):
            # Each learner class's best mentor classes: up to k_row of those tied at its best
            # score, spread over the ties (so that similar learners do not all pick the same).
            first = np.searchsorted(r, r, side="left")
            rank = np.arange(len(r)) - first
            ties = np.bincount(r, minlength=len(rows))[r]
            pick = (rank * k_row) // ties != ((rank - 1) * k_row) // ties
            pick |= rank == 0
            lt.append(rows[r[pick]])
            lu.append(cols[c[pick]])
            ls.append(sc[r[pick], c[pick]])
    if not full:
        t, u, s = pool.arcs()
        ts.append(t)
        us.append(u)
        ss.append(s)
        ts += nt
        us += nu
        ss += ns_
        if lt:
            # Only contenders keep them: learner classes whose best score is among the best
            # ``contenders`` × (number of places), since most learners cannot be matched.
            t, u, s = np.concatenate(lt), np.concatenate(lu), np.concatenate(ls)
            weight = np.bincount(best.astype(np.int64), weights=p.l_count, minlength=1)
            reach = np.cumsum(weight[::-1])[::-1]  # learners with best >= k
            wanted = options.contenders * float(p.m_cap.sum())
            theta = int(np.nonzero(reach >= wanted)[0].max(initial=0))
            ok = s >= max(theta, 1)
            ts.append(t[ok])
            us.append(u[ok])
            ss.append(s[ok])
    arcs = _unique_arcs(ts, us, ss, U)
    arcs.s -= 1  # decode
    return arcs, best.astype(np.int64) - 1, pairs


@dataclass
class _Flow:
    """A flow on the network source → learner class → mentor class → sink. Nodes: 0 source,
    1 sink, ``2 + u`` mentor class u, ``2 + U + k`` learner class ``l_nodes[k]`` (only learner
    classes with an arc are nodes; the others stay unmatched). Arcs, in this order: source →
    learner (one per node), the class arcs, mentor → sink, and the zero-cost bypass source →
    sink for unmatched learners (absent when ``exact_flow`` fixes how many are matched)."""

    arcs: _Arcs
    flow: np.ndarray  # flow on each class arc
    cost: int
    l_nodes: np.ndarray
    tails: np.ndarray  # all arcs of the network (for the residual graph)
    heads: np.ndarray
    caps: np.ndarray
    costs: np.ndarray
    flows: np.ndarray

    @property
    def n_nodes(self) -> int:
        return int(max(self.tails.max(initial=1), self.heads.max(initial=1))) + 1


def _network(
    p: _Problem, arcs: _Arcs, costs: np.ndarray, l_nodes: np.ndarray, bypass: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, int]:
    """Arc arrays of the network (see :class:`_Flow`) and the number of learners in it."""
    U = len(p.m_cap)
    nT = len(l_nodes)
    order = np.argsort(l_nodes, kind="stable")
    pos = order[np.searchsorted(l_nodes[order], arcs.t)]
    supply_l = p.l_count[l_nodes]
    n = int(supply_l.sum())
    tails = [np.zeros(nT, dtype=np.int64), 2 + U + pos, 2 + np.arange(U, dtype=np.int64)]
    heads = [2 + U + np.arange(nT, dtype=np.int64), 2 + arcs.u, np.ones(U, dtype=np.int64)]
    caps = [supply_l, p.l_count[arcs.t], p.m_cap]
    cst = [np.zeros(nT, dtype=np.int64), costs, np.zeros(U, dtype=np.int64)]
    if bypass:
        tails.append(np.array([0]))
        heads.append(np.array([1]))
        caps.append(np.array([n]))
        cst.append(np.array([0]))
    return (
        np.concatenate(tails).astype(np.int64),
        np.concatenate(heads).astype(np.int64),
        np.concatenate(caps).astype(np.int64),
        np.concatenate(cst).astype(np.int64),
        n,
    )


def _solve_flow(
    p: _Problem,
    arcs: _Arcs,
    costs: np.ndarray,
    *,
    exact_flow: int | None = None,
) -> _Flow:
    """Min-cost flow by OR-Tools (cost scaling) on the network of the class arcs ``arcs``.
    Unmatched supply leaves by the bypass unless ``exact_flow`` fixes how many learners must be
    matched."""
    l_nodes = np.unique(arcs.t)
    tail, head, cap, cost, n = _network(p, arcs, costs, l_nodes, exact_flow is None)
    # Scores are often multiples of a common step (5 with the default weights): dividing the
    # costs by it leaves the optimal flows unchanged and saves cost-scaling phases.
    step = max(int(np.gcd.reduce(cost)) if len(cost) else 1, 1)
    smcf = min_cost_flow.SimpleMinCostFlow()
    smcf.add_arcs_with_capacity_and_unit_cost(
        tail.astype(np.int32), head.astype(np.int32), cap, cost // step
    )
    supply = n if exact_flow is None else exact_flow
    smcf.set_node_supply(0, supply)
    smcf.set_node_supply(1, -supply)
    status = smcf.solve()
    if status != smcf.OPTIMAL:
        raise MatchingError(f"min-cost flow failed with status {status}")
    flows = np.asarray(smcf.flows(np.arange(len(tail), dtype=np.int32)), dtype=np.int64)
    nT = len(l_nodes)
    class_flow = flows[nT : nT + len(arcs.t)]
    return _Flow(arcs, class_flow, int(smcf.optimal_cost()) * step, l_nodes, tail, head, cap,
                 cost, flows)  # fmt: skip


def _residual(flow: _Flow) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Residual arcs: tail, head, cost, residual capacity, and the network arc each comes from
    (``index`` for a forward arc, ``-1 - index`` for a backward one)."""
    index = np.arange(len(flow.tails))
    fwd = flow.flows < flow.caps
    bwd = flow.flows > 0
    return (
        np.concatenate([flow.tails[fwd], flow.heads[bwd]]),
        np.concatenate([flow.heads[fwd], flow.tails[bwd]]),
        np.concatenate([flow.costs[fwd], -flow.costs[bwd]]),
        np.concatenate([flow.caps[fwd] - flow.flows[fwd], flow.flows[bwd]]),
        np.concatenate([index[fwd], -1 - index[bwd]]),
    )


def _potentials(flow: _Flow) -> np.ndarray:
    """Shortest-path distances on the residual graph from a virtual root (Bellman–Ford,
    vectorised). They satisfy ``cost + d[tail] - d[head] >= 0`` on every residual arc, i.e.
    they are optimal LP duals of the flow problem; a negative cycle (a flow that is not
    optimal) is an error."""
    rt, rh, rc, _cap, _idx = _residual(flow)
    n_nodes = flow.n_nodes
    order = np.argsort(rh, kind="stable")
    rt, rh, rc = rt[order], rh[order], rc[order]
    uh, starts = np.unique(rh, return_index=True)
    d = np.zeros(n_nodes, dtype=np.int64)
    for _ in range(n_nodes + 1):
        relaxed = np.minimum.reduceat(d[rt] + rc, starts)
        better = relaxed < d[uh]
        if not better.any():
            return d
        d[uh[better]] = relaxed[better]
    raise MatchingError("negative cycle in the residual graph: the flow is not optimal")


def _class_potentials(flow: _Flow, d: np.ndarray, p: _Problem) -> tuple[np.ndarray, np.ndarray]:
    """Potentials of every learner class and every mentor class. A learner class outside the
    network has only its (empty) arc from the source, so its potential is the source's."""
    U = len(p.m_cap)
    dt = np.full(len(p.l_count), d[0], dtype=np.int64)
    dt[flow.l_nodes] = d[2 + U : 2 + U + len(flow.l_nodes)]
    return dt, d[2 : 2 + U].copy()


def _reoptimize(
    p: _Problem, flow: _Flow, d: np.ndarray, keep: np.ndarray, extra: _Arcs, max_phases: int
) -> tuple[_Flow, np.ndarray] | None:
    """The optimal flow after dropping the class arcs ``~keep`` (without flow) and adding
    ``extra``, from the optimal ``flow`` and its potentials ``d`` (primal–dual: new arcs of
    negative reduced cost are saturated, then the excess they create is sent back along
    shortest paths of reduced cost, found by Dijkstra, with a maximum flow on the arcs of zero
    reduced cost per phase). Returns the flow and its potentials (checked: reduced costs are
    non-negative on every residual arc), or None if that takes more than ``max_phases``
    phases."""
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import dijkstra

    U = len(p.m_cap)
    nT_old = len(flow.l_nodes)
    fresh_t = np.setdiff1d(extra.t, flow.l_nodes)
    l_nodes = np.concatenate([flow.l_nodes, fresh_t])
    arcs = _merge(_Arcs(flow.arcs.t[keep], flow.arcs.u[keep], flow.arcs.s[keep]), extra)
    tail, head, cap, cost, _n = _network(p, arcs, -arcs.s, l_nodes, bypass=True)
    A = len(arcs.t)
    nT = len(l_nodes)
    x = np.concatenate([
        flow.flows[:nT_old], np.zeros(len(fresh_t), dtype=np.int64),  # source → learner
        flow.flow[keep], np.zeros(len(extra.t), dtype=np.int64),  # class arcs
        flow.flows[nT_old + len(flow.arcs.t) :],  # mentor → sink, bypass
    ])  # fmt: skip
    x[-1] += int(p.l_count[fresh_t].sum())  # the new learners start unmatched
    pot = np.concatenate([d[: 2 + U + nT_old], np.full(len(fresh_t), d[0], dtype=np.int64)])
    new = _Flow(arcs, x[nT : nT + A], 0, l_nodes, tail, head, cap, cost, x)
    # Only the new class arcs may have a negative reduced cost: saturate them.
    rt, rh, rc, rcap, ridx = _residual(new)
    bad = rc + pot[rt] - pot[rh] < 0
    idx = ridx[bad]
    if (idx < nT + A - len(extra.t)).any() or (idx >= nT + A).any():
        return None  # e.g. the bypass had no flow and its potentials say so: solve afresh
    excess = np.zeros(len(pot), dtype=np.int64)
    np.add.at(excess, head[idx], rcap[bad])
    np.subtract.at(excess, tail[idx], rcap[bad])
    x[idx] = cap[idx]
    n_nodes = len(pot)
    # Both directions of every arc, ordered by tail once: each phase only rewrites the
    # weights (reduced cost where the direction has residual capacity, infinity where not).
    m = len(tail)
    order = np.argsort(np.concatenate([tail, head]), kind="stable")
    arc = order % m
    forward = order < m
    bt = np.where(forward, tail[arc], head[arc])
    bh = np.where(forward, head[arc], tail[arc])
    bc = np.where(forward, cost[arc], -cost[arc])
    indptr = np.concatenate([[0], np.cumsum(np.bincount(bt, minlength=n_nodes))])
    graph = csr_matrix((np.zeros(len(bt)), bh, indptr), shape=(n_nodes, n_nodes))
    for _ in range(max_phases):
        rcap = np.where(forward, cap[arc] - x[arc], x[arc])
        live = rcap > 0
        rc = bc + pot[bt] - pot[bh]
        if rc[live].min(initial=0) < 0:
            raise MatchingError("re-optimisation lost dual feasibility")
        sources = np.nonzero(excess > 0)[0]
        if not len(sources):
            balance = np.bincount(head, weights=x, minlength=n_nodes) - np.bincount(
                tail, weights=x, minlength=n_nodes
            )
            if balance[2:].any() or (x < 0).any() or (x > cap).any():
                raise MatchingError("re-optimisation ended with an infeasible flow")
            new.cost = int((cost * x).sum())
            new.flow = x[nT : nT + A]
            return new, pot
        graph.data = np.where(live, rc, np.inf).astype(np.float64)
        dist = dijkstra(graph, directed=True, indices=sources, min_only=True)
        sinks = np.nonzero(excess < 0)[0]
        delta = dist[sinks].min()
        if not np.isfinite(delta):
            raise MatchingError("re-optimisation found no path for the excess")
        shift = np.minimum(dist, delta).astype(np.int64)
        pot += shift
        # Augmenting paths of this phase stay among the nodes reached within ``delta``.
        near = dist <= delta
        tight = np.nonzero(live & near[bt] & near[bh] & (rc + shift[bt] - shift[bh] == 0))[0]
        # Maximum flow from the excess to the deficits on the arcs of zero reduced cost.
        s_node, t_node = n_nodes, n_nodes + 1
        mf = max_flow.SimpleMaxFlow()
        mt = np.concatenate([bt[tight], np.full(len(sources), s_node), sinks])
        mh = np.concatenate([bh[tight], sources, np.full(len(sinks), t_node)])
        mc = np.concatenate([rcap[tight], excess[sources], -excess[sinks]])
        mf.add_arcs_with_capacity(mt.astype(np.int32), mh.astype(np.int32), mc.astype(np.int64))
        if mf.solve(s_node, t_node) != mf.OPTIMAL:
            raise MatchingError("maximum flow failed during re-optimisation")
        pushed = np.asarray(mf.flows(np.arange(len(mt), dtype=np.int32)), dtype=np.int64)
        k = len(tight)
        moved = pushed[:k]
        fwd = forward[tight]
        np.add.at(x, arc[tight][fwd], moved[fwd])
        np.subtract.at(x, arc[tight][~fwd], moved[~fwd])
        excess[sources] -= pushed[k : k + len(sources)]
        excess[sinks] += pushed[k + len(sources) :]
    return None


def _price(
    p: _Problem,
    options: Options,
    dt: np.ndarray,
    du: np.ndarray,
    best: np.ndarray,
    known: _Arcs,
    per_row: int,
    tolerance: int = 0,
    row_mask: np.ndarray | None = None,
    col_mask: np.ndarray | None = None,
) -> tuple[_Arcs, int, int, np.ndarray]:
    """Feasible arcs not in the network ``known`` whose reduced cost is negative
    (``score(t, u) > d[t] - d[u]``: they violate the dual) or above ``-tolerance``; per
    learner class the ``per_row`` of highest gain. Only the pairs of the rows (learner
    classes) in ``row_mask`` and the columns in ``col_mask`` when given. Also returns the
    number of pairs checked, the number of violating pairs seen (0 certifies the pairs
    checked), and the learner classes some of whose violating pairs were left out."""
    T, U = len(p.l_count), len(p.m_cap)
    # An arc t→u can violate only if d[u] > d[t] - best[t]; classes without any feasible
    # mentor never can.
    slack = np.where(best >= 0, dt - best - tolerance, np.iinfo(np.int64).max // 4)
    # Encoded scores are score + 1: gain = sc - (d[t] + 1 - tolerance - d[u]) >= 1 reports
    # t→u, gain > tolerance is a violation.
    top = dt + 1 - tolerance
    small = max(np.abs(top).max(initial=0), np.abs(du).max(initial=0)) < 2**13
    gdt = np.int16 if small else np.int64
    top, dun = top.astype(gdt), du.astype(gdt)
    floor = gdt(np.iinfo(gdt).min)
    # The arcs already in the network, by learner class, to be masked in each block.
    order = np.argsort(known.t, kind="stable")
    known_u = known.u[order]
    known_start = np.searchsorted(known.t[order], np.arange(T + 1))
    col_pos = np.full(U, -1, dtype=np.int64)
    truncated = np.zeros(T, dtype=bool)
    ts, us, ss = [], [], []
    checked = violating = 0
    for rows, cols, width in _staircase(p, options, slack, du, row_mask, col_mask):
        sub = cols[:width]
        sc = _scores(p, rows, sub)
        checked += sc.size
        gain: np.ndarray = sc.astype(gdt)
        gain -= top[rows][:, None]
        gain += dun[sub][None, :]
        np.putmask(gain, sc == 0, floor)
        counts = known_start[rows + 1] - known_start[rows]
        n_known = int(counts.sum())
        if n_known:
            col_pos[sub] = np.arange(width)
            first = np.repeat(known_start[rows] - (np.cumsum(counts) - counts), counts)
            j = col_pos[known_u[first + np.arange(n_known)]]
            i = np.repeat(np.arange(len(rows)), counts)
            gain[i[j >= 0], j[j >= 0]] = floor
            col_pos[sub] = -1
        row_max = gain.max(axis=1)
        active = np.nonzero(row_max >= 1)[0]
        if not len(active):
            continue
        g: np.ndarray = gain[active]
        r, c = np.divmod(np.flatnonzero(g >= 1), width)
        level = np.minimum(g[r, c], _GAIN_LEVELS - 1).astype(np.int64)
        # Per row, the highest gains first: the lowest level whose hits, counted from the
        # top, reach per_row (a histogram of the small integer gains, no sorting).
        hist = np.bincount(r * _GAIN_LEVELS + level, minlength=len(active) * _GAIN_LEVELS)
        from_top = np.cumsum(hist.reshape(len(active), _GAIN_LEVELS)[:, ::-1], axis=1)
        enough = from_top >= per_row
        floor_level = np.where(enough.any(axis=1), _GAIN_LEVELS - 1 - np.argmax(enough, axis=1), 1)
        # All hits above the floor level (fewer than per_row), then hits at the floor level
        # in column order until per_row.
        above = level > floor_level[r]
        at = level == floor_level[r]
        n_above = np.bincount(r[above], minlength=len(active))
        ra = r[at]
        rank = np.arange(len(ra)) - np.searchsorted(ra, ra, side="left")
        keep = above.copy()
        keep[np.nonzero(at)[0][rank < per_row - n_above[ra]]] = True
        r, c = r[keep], c[keep]
        ts.append(rows[active[r]])
        us.append(sub[c])
        ss.append(sc[active[r], c].astype(np.int64) - 1)
        # Every violating pair seen counts, reported or not: none seen is the certificate.
        per_row_bad = (g > tolerance).sum(axis=1)
        violating += int(per_row_bad.sum())
        reported = np.bincount(r[g[r, c] > tolerance], minlength=len(active))
        truncated[rows[active[per_row_bad > reported]]] = True
    arcs = _no_arcs()
    if ts:
        arcs = _Arcs(np.concatenate(ts), np.concatenate(us), np.concatenate(ss))
    return arcs, checked, violating, truncated


def _staircase(
    p: _Problem,
    options: Options,
    slack: np.ndarray,
    du: np.ndarray,
    row_mask: np.ndarray | None = None,
    col_mask: np.ndarray | None = None,
) -> Iterable[tuple[np.ndarray, np.ndarray, int]]:
    """Blocks for pricing (only the rows and columns of the masks, if given): in each group,
    columns by ``d[u]`` descending and rows by slack ascending, so that row ``t`` needs only
    the first ``n_t`` columns (those with ``d[u] > slack[t]``); consecutive rows needing
    similar widths share a block."""
    for rows, cols in p.groups:
        if row_mask is not None:
            rows = rows[row_mask[rows]]
        if col_mask is not None:
            cols = cols[col_mask[cols]]
        if not len(rows) or not len(cols):
            continue
        cols = cols[np.argsort(-du[cols], kind="stable")]
        rows = rows[np.argsort(slack[rows], kind="stable")]
        need = np.searchsorted(-du[cols], -slack[rows], side="left")
        i = 0
        while i < len(rows):
            width = int(need[i])
            if width == 0:
                break
            limit = max(1, options.block_cells // width)
            j = i + 1
            while j < len(rows) and j - i < limit and need[j] * 2 >= width:
                j += 1
            yield rows[i:j], cols, width
            i = j


class _Pricing:
    """Pricing rounds that re-check only what the last potentials may have broken.

    A full round checks every pair against the potentials ``d`` of the moment. Afterwards a
    learner class ``t`` is *based* at the potentials of the last round that checked all its
    pairs without leaving a violating one out (``base_dt[t]``), and ``du_floor[u]`` is the
    lowest potential mentor class ``u`` had in any round that based a row. A pair ``(t, u)``
    outside the network, of a based row, was found with ``score <= base_dt[t] - d_then[u]``;
    as long as ``d[t] >= base_dt[t]`` and ``d[u] <= du_floor[u] <= d_then[u]`` it still holds.
    So a later round re-checks only the rows that are unbased or whose potential fell, the
    columns whose potential rose above their floor, and the arcs dropped from the network;
    when that finds no violation, every pair of the complete problem is priced out.
    Potentials are taken relative to the source's."""

    def __init__(self, p: _Problem, options: Options, best: np.ndarray) -> None:
        self.p, self.options, self.best = p, options, best
        self.base_dt: np.ndarray | None = None
        self.based = np.zeros(len(p.l_count), dtype=bool)
        self.du_floor = np.zeros(len(p.m_cap), dtype=np.int64)
        self.loose = _no_arcs()
        self.checked = 0
        self.full_rounds = 0

    def drop(self, arcs: _Arcs) -> None:
        """Arcs leaving the network: pricing skipped them while they were in it."""
        self.loose = _merge(self.loose, arcs)

    def run(
        self, known: _Arcs, dt: np.ndarray, du: np.ndarray, tolerance: int
    ) -> tuple[_Arcs, int]:
        p, o = self.p, self.options
        U = len(p.m_cap)
        if self.base_dt is None:
            rows = cols = None
        else:
            rows = ~self.based | (dt < self.base_dt)
            cols = du > self.du_floor
            if rows.mean() + cols.mean() > o.full_pricing_share:
                rows = cols = None
        if rows is None:
            extra, checked, violating, truncated = _price(
                p, o, dt, du, self.best, known, o.pricing_per_row, tolerance
            )
            self.base_dt, self.du_floor = dt.copy(), du.copy()
            self.based = ~truncated
            self.loose = _no_arcs()
            self.full_rounds += 1
            self.checked += checked
            return extra, violating
        assert self.base_dt is not None and cols is not None
        tol = tolerance
        parts: list[tuple[_Arcs, int, int, np.ndarray | None]] = [
            _price(p, o, dt, du, self.best, known, o.pricing_per_row, tol, row_mask=rows)
        ]
        if cols.any():
            parts.append(
                _price(p, o, dt, du, self.best, known, o.pricing_per_row, tol, col_mask=cols)
            )
        # Arcs dropped since the last full round, unless back in the network.
        loose = self.loose
        if len(loose.t):
            keys = np.sort(known.keys(U))
            lk = loose.keys(U)
            at = np.minimum(np.searchsorted(keys, lk), max(len(keys) - 1, 0))
            out = keys[at] != lk if len(keys) else np.ones(len(lk), dtype=bool)
            bad = out & (loose.s > dt[loose.t] - du[loose.u])
            parts.append((_Arcs(loose.t[bad], loose.u[bad], loose.s[bad]), 0, int(bad.sum()), None))
        extra = _unique_arcs([x[0].t for x in parts], [x[0].u for x in parts],
                             [x[0].s for x in parts], U)  # fmt: skip
        violating = sum(x[2] for x in parts)
        self.checked += sum(x[1] for x in parts)
        cut = parts[0][3]
        assert cut is not None
        truncated = cut
        rebased = rows & ~truncated
        if rebased.any():
            self.base_dt[rebased] = dt[rebased]
            self.based |= rebased
            self.du_floor = np.minimum(self.du_floor, du)
        self.based &= ~truncated
        return extra, violating


def _merge(a: _Arcs, b: _Arcs) -> _Arcs:
    return _Arcs(np.concatenate([a.t, b.t]), np.concatenate([a.u, b.u]), np.concatenate([a.s, b.s]))


def _max_flow_value(p: _Problem, arcs: _Arcs) -> int:
    T, U = len(p.l_count), len(p.m_cap)
    smf = max_flow.SimpleMaxFlow()
    tail = np.concatenate([np.zeros(T, dtype=np.int64), 2 + arcs.t, 2 + T + np.arange(U)])
    head = np.concatenate([2 + np.arange(T), 2 + T + arcs.u, np.ones(U, dtype=np.int64)])
    cap = np.concatenate([p.l_count, p.l_count[arcs.t], p.m_cap])
    smf.add_arcs_with_capacity(tail.astype(np.int32), head.astype(np.int32), cap.astype(np.int64))
    status = smf.solve(0, 1)
    if status != smf.OPTIMAL:
        raise MatchingError(f"max flow failed with status {status}")
    return int(smf.optimal_flow())


# --------------------------------------------------------------------------------------------
# The engine
# --------------------------------------------------------------------------------------------


def solve(
    learners: Sequence[LearnerIn],
    mentors: Sequence[MentorIn],
    options: Options | None = None,
    progress: Callable[[float, str], None] | None = None,
) -> Result:
    """The assignment of maximum total score (see the module docstring)."""
    options = options or Options()
    validate(learners, mentors, options.weights)
    started = time.perf_counter()
    report = progress or (lambda fraction, label: None)
    stats: dict[str, Any] = {"learners": len(learners), "mentors": len(mentors)}
    report(0.05, "encode")
    p = _encode(learners, mentors, options)
    T, U = len(p.l_count), len(p.m_cap)
    stats.update(learner_classes=T, mentor_classes=U)
    phases: dict[str, float] = {"encode": time.perf_counter() - started}
    if T == 0 or U == 0 or not p.groups:
        return _result(learners, mentors, options, p, None, stats, started)

    def lap(name: str, since: float) -> float:
        now = time.perf_counter()
        phases[name] = phases.get(name, 0.0) + now - since
        return now

    clock = time.perf_counter()
    report(0.15, "candidates")
    arcs, best, pairs = _candidates(p, options, full=options.fairness)
    stats["pairs_scored"] = pairs
    clock = lap("candidates", clock)
    report(0.4, "flow")
    flow = _solve_flow(p, arcs, -arcs.s)
    clock = lap("flow", clock)
    rounds = resolves = 0
    d = _potentials(flow) if not options.fairness else np.zeros(0, dtype=np.int64)
    pricing = _Pricing(p, options, best)
    log: list[list[int]] = []  # per pricing round: violating arcs, arcs added, pairs checked
    while not options.fairness:  # with fairness every feasible arc is present: no pricing
        dt, du = _class_potentials(flow, d, p)
        dt -= d[0]  # relative to the source's potential
        du -= d[0]
        # Pricing also brings the tight arcs (reduced cost 0): the potentials move a little
        # when the violating arcs enter, and tight arcs are the next to violate.
        checked = pricing.checked
        extra, violating = pricing.run(flow.arcs, dt, du, tolerance=options.pricing_tolerance)
        log.append([violating, len(extra.t), pricing.checked - checked])
        clock = lap("pricing", clock)
        rounds += 1
        if not violating:
            break
        report(min(0.5 + 0.05 * rounds, 0.85), "flow")
        # Arcs far from tight are dropped (pricing checks them again like any other pair).
        step = max(int(np.gcd.reduce(flow.arcs.s)), 1)
        reduced = flow.arcs.s + du[flow.arcs.u] - dt[flow.arcs.t]
        keep = (flow.flow > 0) | (reduced >= -step * options.keep_steps)
        pricing.drop(_Arcs(flow.arcs.t[~keep], flow.arcs.u[~keep], flow.arcs.s[~keep]))
        again = _reoptimize(p, flow, d, keep, extra, options.reoptimize_phases)
        if again is None:
            merged = _merge(_Arcs(flow.arcs.t[keep], flow.arcs.u[keep], flow.arcs.s[keep]), extra)
            flow = _solve_flow(p, merged, -merged.s)
            d = _potentials(flow)
            resolves += 1
        else:
            flow, d = again  # optimal duals too (checked on every residual arc)
        arcs = flow.arcs
        clock = lap("flow", clock)
    stats.update(pairs_priced=pricing.checked, full_pricing_rounds=pricing.full_rounds)
    stats["round_log"] = log
    stats["resolves"] = resolves
    stats.update(pricing_rounds=rounds, arcs=len(arcs.t), certified=True)
    optimum = -flow.cost
    stats["first_stage_total"] = optimum

    if options.fairness:
        report(0.85, "fairness")
        matched = int(flow.flow.sum())
        levels = np.unique(arcs.s)
        lo, hi = 0, len(levels) - 1  # find the largest threshold keeping `matched` learners
        while lo < hi:
            mid = (lo + hi + 1) // 2
            keep = arcs.s >= levels[mid]
            sub = _Arcs(arcs.t[keep], arcs.u[keep], arcs.s[keep])
            if _max_flow_value(p, sub) >= matched:
                lo = mid
            else:
                hi = mid - 1
        threshold = int(levels[lo]) if len(levels) else 0
        keep = arcs.s >= threshold
        arcs = _Arcs(arcs.t[keep], arcs.u[keep], arcs.s[keep])
        flow = _solve_flow(p, arcs, -arcs.s, exact_flow=matched)
        stats.update(fairness_threshold=threshold, fair_total=-flow.cost)

    if options.cohesion:
        report(0.9, "cohesion")
        flow = _cohesion_stage(p, flow, learners)
        stats["cohesion_total"] = int((flow.arcs.s * flow.flow).sum())
    report(0.97, "assign")
    clock = time.perf_counter()
    result = _result(learners, mentors, options, p, flow, stats, started)
    lap("assign", clock)
    stats["phases"] = {k: round(v, 3) for k, v in phases.items()}
    return result


def _cohesion_stage(p: _Problem, flow: _Flow, learners: Sequence[LearnerIn]) -> _Flow:
    """Second stage: among assignments of the same total score, prefer groups whose members
    are close in grade and share the group's main subject. Costs are lexicographic
    (``-score * W + h`` with ``W`` larger than any total of ``h``), so the first-stage total is
    kept exactly. Needs individual mentors (``Options.cohesion`` makes every mentor its own
    class)."""
    arcs = flow.arcs
    U = len(p.m_cap)
    grade_sum = np.zeros(U)
    weight = np.zeros(U)
    subj_votes: list[Counter[int]] = [Counter() for _ in range(U)]
    for t, u, f in zip(arcs.t.tolist(), arcs.u.tolist(), flow.flow.tolist(), strict=True):
        if f <= 0:
            continue
        grade_sum[u] += p.L["grade"][t] * f
        weight[u] += f
        mask = int(p.L["subj"][t])
        bit = 0
        while mask:
            if mask & 1:
                subj_votes[u][bit] += f
            mask >>= 1
            bit += 1
    anchor_grade = np.where(weight > 0, np.round(grade_sum / np.maximum(weight, 1)), -1)
    anchor_subj = np.array(
        [1 << votes.most_common(1)[0][0] if votes else 0 for votes in subj_votes], dtype=np.int64
    )
    hmax = 8
    grade_gap = np.abs(p.L["grade"][arcs.t] - anchor_grade[arcs.u])
    h = np.where(anchor_grade[arcs.u] < 0, 0, np.minimum(grade_gap, 6)).astype(np.int64)
    h += np.where((p.L["subj"][arcs.t] & anchor_subj[arcs.u]) == 0, 2, 0)
    big = hmax * int(p.l_count.sum()) + 1
    second = _solve_flow(p, arcs, -arcs.s * big + h)
    if int((second.arcs.s * second.flow).sum()) != int((arcs.s * flow.flow).sum()):
        raise MatchingError("second stage changed the first-stage total")
    return second


def _components(
    p: _Problem,
    learners: Sequence[LearnerIn],
    mentors: Sequence[MentorIn],
    t: np.ndarray,
    u: np.ndarray,
    li: np.ndarray,
    mi: np.ndarray,
) -> dict[str, np.ndarray]:
    """:func:`explain_pair` for many pairs at once (class attributes; continuity per pair)."""
    w = p.weights
    L, M = p.L, p.M

    def common(name: str) -> np.ndarray:
        return np.bitwise_count(L[name][t] & M[name][u]).astype(np.int64)

    n_subj = np.maximum(p.l_nsubj[t], 1)
    continuity = np.zeros(len(t), dtype=np.int64)
    for k in np.nonzero(L["special"][t] >= 0)[0].tolist():
        if learners[int(li[k])].previous_mentor == mentors[int(mi[k])].key:
            continuity[k] = w.continuity
    return {
        "base": np.full(len(t), w.base, dtype=np.int64),
        "subject": w.subject * common("subj") // n_subj,
        "major": np.where(L["major"][t] == M["major"][u], w.major, 0),
        "interest": w.interest * np.minimum(common("interest"), 2) // 2,
        "availability": w.availability * np.minimum(common("avail"), 3) // 3,
        "continuity": continuity,
    }


def _result(
    learners: Sequence[LearnerIn],
    mentors: Sequence[MentorIn],
    options: Options,
    p: _Problem,
    flow: _Flow | None,
    stats: dict[str, Any],
    started: float,
) -> Result:
    proposals: list[Proposal] = []
    matched = np.zeros(len(learners), dtype=bool)
    if flow is not None and len(flow.arcs.t):
        f = flow.flow
        a = np.nonzero(f > 0)[0]
        a = a[np.argsort(-flow.arcs.s[a], kind="stable")]
        unit_t = np.repeat(flow.arcs.t[a], f[a])
        unit_u = np.repeat(flow.arcs.u[a], f[a])
        # The k-th unit of flow out of class t goes to its k-th member; the k-th unit into
        # mentor class u takes its k-th seat (members in order, each ``capacity`` seats).
        li = _nth(unit_t, p.l_start, p.l_order)
        caps = np.array([m.capacity for m in mentors], dtype=np.int64)
        seats = np.repeat(p.m_order, caps[p.m_order])
        seat_start = np.concatenate([[0], np.cumsum(p.m_cap)])
        mi = _nth(unit_u, seat_start, seats)
        parts = _components(p, learners, mentors, unit_t, unit_u, li, mi)
        columns = [parts[name].tolist() for name in COMPONENTS]
        for k, (i, j) in enumerate(zip(li.tolist(), mi.tolist(), strict=True)):
            components = {name: col[k] for name, col in zip(COMPONENTS, columns, strict=True)}
            proposals.append(
                Proposal(learners[i].key, mentors[j].key, sum(components.values()), components)
            )
        matched[li] = True
    total = sum(x.score for x in proposals)
    stats["seconds"] = round(time.perf_counter() - started, 3)
    return Result(
        proposals=proposals,
        unmatched=[learners[i].key for i in np.nonzero(~matched)[0].tolist()],
        total_score=total,
        worst_score=min((x.score for x in proposals), default=None),
        stats=stats,
    )


def _nth(units: np.ndarray, start: np.ndarray, items: np.ndarray) -> np.ndarray:
    """For units labelled by class, the k-th unit of class c gets ``items[start[c] + k]``."""
    order = np.argsort(units, kind="stable")
    sorted_units = units[order]
    rank = np.arange(len(units)) - np.searchsorted(sorted_units, sorted_units, side="left")
    out = np.empty(len(units), dtype=np.int64)
    out[order] = items[start[sorted_units] + rank]
    return out


# --------------------------------------------------------------------------------------------
# Baseline and checks
# --------------------------------------------------------------------------------------------


def greedy(
    learners: Sequence[LearnerIn], mentors: Sequence[MentorIn], options: Options | None = None
) -> Result:
    """First come, first served: learners in the given order each take the best-scoring
    feasible mentor who still has a place (what a manual process does). A baseline only."""
    options = options or Options()
    validate(learners, mentors, options.weights)
    started = time.perf_counter()
    p = _encode(learners, mentors, options)
    T = len(p.l_count)
    lists: dict[int, tuple[np.ndarray, np.ndarray]] = {}
    group_of = np.full(T, -1, dtype=np.int64)
    for g, (rows, _cols) in enumerate(p.groups):
        group_of[rows] = g
    # Best mentor classes per learner class, computed in blocks; extended on demand.
    shallow = 64
    for rows, cols in _iter_blocks(p, options):
        score = _scores(p, rows, cols).astype(np.int16)
        k = min(shallow, len(cols))
        top = np.argpartition(-score, k - 1, axis=1)[:, :k] if k < len(cols) else None
        for i, t in enumerate(rows.tolist()):
            idx = top[i] if top is not None else np.arange(len(cols))
            sc = score[i, idx]
            order = np.lexsort((cols[idx], -sc))
            ok = sc[order] > 0
            lists[t] = (cols[idx][order][ok], sc[order][ok])
    full_done: set[int] = set()
    pointer = np.zeros(T, dtype=np.int64)
    seats = p.m_cap.copy()
    class_of = np.empty(len(learners), dtype=np.int64)
    class_of[p.l_order] = np.repeat(np.arange(T), p.l_count)
    pick: list[int] = [-1] * len(learners)
    for li in range(len(learners)):
        t = int(class_of[li])
        if t not in lists:
            continue
        while True:
            us, _ss = lists[t]
            ptr = int(pointer[t])
            while ptr < len(us) and seats[us[ptr]] == 0:
                ptr += 1
            pointer[t] = ptr
            if ptr < len(us):
                u = int(us[ptr])
                seats[u] -= 1
                pick[li] = u
                break
            if t in full_done or group_of[t] < 0:
                break
            cols = p.groups[int(group_of[t])][1]
            sc = _scores(p, np.array([t]), cols)[0].astype(np.int16)
            order = np.lexsort((cols, -sc))
            ok = sc[order] > 0
            lists[t] = (cols[order][ok], sc[order][ok])
            pointer[t] = 0
            full_done.add(t)
    # Within a mentor class the seats are interchangeable: fill them in order.
    fill = [p.m_members(u).tolist() for u in range(len(p.m_cap))]
    used: dict[int, int] = defaultdict(int)
    proposals = []
    for li, u in enumerate(pick):
        if u < 0:
            continue
        while used[fill[u][0]] >= mentors[fill[u][0]].capacity:
            fill[u].pop(0)
        mi = fill[u][0]
        used[mi] += 1
        components = explain_pair(learners[li], mentors[mi], options)
        proposals.append(
            Proposal(learners[li].key, mentors[mi].key, sum(components.values()), components)
        )
    keys = {x.learner for x in proposals}
    return Result(
        proposals=proposals,
        unmatched=[x.key for x in learners if x.key not in keys],
        total_score=sum(x.score for x in proposals),
        worst_score=min((x.score for x in proposals), default=None),
        stats={"seconds": round(time.perf_counter() - started, 3)},
    )


def check_assignment(
    learners: Sequence[LearnerIn],
    mentors: Sequence[MentorIn],
    proposals: Iterable[Proposal],
    options: Options | None = None,
) -> list[str]:
    """Every broken rule of an assignment (empty when it respects all of them)."""
    options = options or Options()
    by_l = {x.key: x for x in learners}
    by_m = {x.key: x for x in mentors}
    problems = []
    load: Counter[str] = Counter()
    seen: set[str] = set()
    for x in proposals:
        if x.learner in seen:
            problems.append(f"learner {x.learner} assigned twice")
        seen.add(x.learner)
        load[x.mentor] += 1
        reasons = infeasibility_reasons(by_l[x.learner], by_m[x.mentor], options)
        if reasons:
            problems.append(f"{x.learner}→{x.mentor}: {', '.join(reasons)}")
        elif x.score != pair_score(by_l[x.learner], by_m[x.mentor], options):
            problems.append(f"{x.learner}→{x.mentor}: wrong score")
    for key, n in load.items():
        if n > by_m[key].capacity:
            problems.append(f"mentor {key} over capacity ({n} > {by_m[key].capacity})")
    return problems


def feasible_pairs(
    learners: Sequence[LearnerIn], mentors: Sequence[MentorIn], options: Options | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every feasible (learner index, mentor index, score), by the vectorised scorer on
    learner and mentor classes expanded to individuals (no pruning)."""
    options = options or Options()
    p = _encode(learners, mentors, options)
    if not len(p.l_count) or not p.groups:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty.copy(), empty.copy()
    arcs, _best, _pairs = _candidates(p, options, full=True)
    m_size = np.diff(p.m_start)
    per_arc = p.l_count[arcs.t] * m_size[arcs.u]
    arc = np.repeat(np.arange(len(arcs.t)), per_arc)
    k = np.arange(len(arc)) - np.repeat(np.cumsum(per_arc) - per_arc, per_arc)
    width = m_size[arcs.u][arc]
    li = p.l_order[p.l_start[arcs.t[arc]] + k // width]
    mi = p.m_order[p.m_start[arcs.u[arc]] + k % width]
    return li, mi, arcs.s[arc]
