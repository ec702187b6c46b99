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
2. *Candidates.* For every learner class the scores against all mentor classes are computed in
   vectorised blocks (grouped by school level, mode and district so that infeasible blocks are
   never built); the best ``candidates_per_class`` mentor classes are kept as arcs.
3. *Min-cost flow.* OR-Tools' ``SimpleMinCostFlow`` solves source → learner class → mentor
   class → sink with cost ``-score`` and a zero-cost bypass arc for unmatched learners.
4. *Certificate and pricing.* Node potentials (LP duals) of the restricted optimum are computed
   by Bellman–Ford on the residual graph. By LP duality the restricted optimum is optimal for
   the full problem if and only if no arc left out has a negative reduced cost, i.e. no
   feasible pair with ``score(t, u) > d[t] - d[u]``. Every left-out pair is checked (only
   mentor classes with ``d[u] > d[t] - best_score(t)`` can violate, which prunes most of the
   work); violating arcs are added and the flow is solved again until none is left. The
   result is therefore a proven optimum of the complete problem, whatever the pruning.
5. *Disaggregation.* Class-level flows are turned into learner → mentor assignments.

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
    candidates_per_class: int = 4
    block_cells: int = 6_000_000


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

    def idx(self, item: str) -> int:
        if item not in self.index:
            if len(self.index) >= self.limit:
                raise MatchingError(f"more than {self.limit} distinct {self.name}")
            self.index[item] = len(self.index)
        return self.index[item]

    def mask(self, items: Iterable[str]) -> int:
        # Sorted: the items are often frozensets, whose order changes with the hash seed of
        # the process; the bit each item gets (and so the order of the classes and which of
        # several equally good solutions is returned) must not.
        value = 0
        for item in sorted(items):
            value |= 1 << self.idx(item)
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


@dataclass
class _Problem:
    L: dict[str, np.ndarray]  # learner-class attributes
    M: dict[str, np.ndarray]  # mentor-class attributes
    l_count: np.ndarray  # learners per class
    m_cap: np.ndarray  # capacity per mentor class
    l_members: list[list[int]]
    m_members: list[list[int]]
    l_nsubj: np.ndarray
    special_rows: dict[int, dict[int, int | None]]  # learner class -> {mentor class: delta|None}
    groups: list[tuple[np.ndarray, np.ndarray]]  # (learner class rows, mentor class cols)


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
        for key in (learner.previous_mentor, *learner.excluded_mentors):
            if key in mentor_index:
                special_mentors.add(mentor_index[key])
    if options.cohesion:
        special_mentors = set(range(len(mentors)))

    mrows = np.zeros((len(mentors), len(_M_COLS)), dtype=np.int64)
    within = _within(options)
    for i, m in enumerate(mentors):
        reach = mentor_reach(m, options, within)
        mrows[i] = (
            levels.mask(m.school_levels),
            subjects.mask(m.subjects),
            majors.idx(m.major_field) if m.major_field else -1,
            interests.mask(m.interests),
            int(m.mode in ("online", "both")),
            int(m.mode in ("offline", "both")),
            districts.mask(sorted(reach)),
            slots.mask(m.availability),
            langs.mask(m.languages),
            genders.idx(m.gender),
            i if i in special_mentors else -1,
        )
    lrows = np.zeros((len(learners), len(_L_COLS)), dtype=np.int64)
    for i, learner in enumerate(learners):
        special = bool(learner.previous_mentor or learner.excluded_mentors)
        offline_relevant = learner.mode != "online"
        lrows[i] = (
            levels.idx(learner.school_level),
            subjects.mask(learner.subjects),
            majors.idx(learner.desired_major) if learner.desired_major else -2,
            interests.mask(learner.interests),
            _MODE_CODE[learner.mode],
            districts.idx(learner.district) if offline_relevant and learner.district else -1,
            slots.mask(learner.availability),
            langs.mask(learner.languages),
            genders.idx(learner.mentor_gender) if learner.mentor_gender else 0,
            learner.grade if options.cohesion else 0,
            i if special else -1,
        )

    def classes(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, list[list[int]]]:
        if len(rows) == 0:
            return rows, np.zeros(0, dtype=np.int64), []
        uniq, inverse = np.unique(rows, axis=0, return_inverse=True)
        inverse = inverse.reshape(-1)
        order = np.argsort(inverse, kind="stable")
        bounds = np.searchsorted(inverse[order], np.arange(len(uniq) + 1))
        members = [order[bounds[k] : bounds[k + 1]].tolist() for k in range(len(uniq))]
        return uniq, inverse, members

    luniq, _linv, l_members = classes(lrows)
    muniq, minv, m_members = classes(mrows)
    L = {name: luniq[:, j] for j, name in enumerate(_L_COLS)} if len(luniq) else {}
    M = {name: muniq[:, j] for j, name in enumerate(_M_COLS)} if len(muniq) else {}
    l_count = np.array([len(x) for x in l_members], dtype=np.int64)
    m_cap = np.array(
        [sum(mentors[i].capacity for i in members) for members in m_members], dtype=np.int64
    )
    l_nsubj = np.bitwise_count(L["subj"].astype(np.uint64)).astype(np.int64) if L else l_count
    mentor_class_of = {mentors[i].key: int(minv[i]) for i in range(len(mentors))}

    special_rows: dict[int, dict[int, int | None]] = {}
    for t, members in enumerate(l_members):
        if L["special"][t] < 0:
            continue
        learner = learners[members[0]]
        adjust: dict[int, int | None] = {}
        if learner.previous_mentor in mentor_class_of:
            adjust[mentor_class_of[learner.previous_mentor]] = options.weights.continuity
        for key in learner.excluded_mentors:
            if key in mentor_class_of:
                adjust[mentor_class_of[key]] = None
        special_rows[t] = adjust

    # Groups of learner classes sharing (level, mode, district) and the mentor classes that can
    # serve them (mode, district and school level are settled per group, so blocks never span
    # pairs those constraints forbid); a large group is split further by subject set.
    groups: list[tuple[np.ndarray, np.ndarray]] = []
    if L and M:
        gkeys = np.stack([L["level"], L["mode"], L["district"]], axis=1)
        guniq, ginv = np.unique(gkeys, axis=0, return_inverse=True)
        ginv = ginv.reshape(-1)
        order = np.argsort(ginv, kind="stable")
        bounds = np.searchsorted(ginv[order], np.arange(len(guniq) + 1))
        for g, (level, mode, district) in enumerate(guniq):
            rows = order[bounds[g] : bounds[g + 1]]
            ok = (M["levels"] >> level) & 1 == 1
            online = M["online"] == 1
            offline = (M["offline"] == 1) & (
                ((M["reach"] >> max(district, 0)) & 1 == 1) if district >= 0 else False
            )
            if mode == 0:
                ok &= online
            elif mode == 1:
                ok &= offline
            else:
                ok &= online | offline
            cols = np.nonzero(ok & (m_cap > 0))[0]
            if not len(cols):
                continue
            if len(rows) * len(cols) < 4_000_000:
                groups.append((rows, cols))
                continue
            subj = L["subj"][rows]
            for mask in np.unique(subj).tolist():
                sub_rows = rows[subj == mask]
                sub_cols = cols[(M["subj"][cols] & mask) != 0]
                if len(sub_cols):
                    groups.append((sub_rows, sub_cols))
    # Narrow integer types make the block arithmetic cheaper.
    for table in (L, M):
        for name in ("subj", "interest", "avail", "lang"):
            if name in table:
                table[name] = _narrow(table[name])
    return _Problem(L, M, l_count, m_cap, l_members, m_members, l_nsubj, special_rows, groups)


def _narrow(values: np.ndarray) -> np.ndarray:
    top = int(values.max()) if len(values) else 0
    for dtype in (np.uint8, np.uint16, np.uint32):
        if top <= np.iinfo(dtype).max:
            return values.astype(dtype)
    return values.astype(np.uint64)


def _block_scores(p: _Problem, rows: np.ndarray, cols: np.ndarray, options: Options) -> np.ndarray:
    """Scores of learner classes ``rows`` × mentor classes ``cols`` of one group; -1 where
    infeasible. Mode, district and school level are already settled by the group."""
    w = options.weights
    L, M = p.L, p.M
    common_subj = np.bitwise_count(L["subj"][rows][:, None] & M["subj"][cols][None, :])
    common_slots = np.bitwise_count(L["avail"][rows][:, None] & M["avail"][cols][None, :])
    feasible = common_subj > 0
    feasible &= common_slots >= options.min_common_slots
    lang = L["lang"][rows]
    if lang.any():
        feasible &= (lang[:, None] & ~M["lang"][cols][None, :]) == 0
    lg = L["gender"][rows]
    if lg.any():
        feasible &= (lg[:, None] == 0) | (lg[:, None] == M["gender"][cols][None, :])
    score = (w.subject * common_subj.astype(np.int16)) // p.l_nsubj[rows][:, None].astype(np.int16)
    score += w.base
    major = L["major"][rows][:, None] == M["major"][cols][None, :]
    score += major.astype(np.int16) * np.int16(w.major)
    if w.interest:
        common_int = np.bitwise_count(L["interest"][rows][:, None] & M["interest"][cols][None, :])
        score += (np.int16(w.interest) * np.minimum(common_int, 2).astype(np.int16)) // 2
    score += (np.int16(w.availability) * np.minimum(common_slots, 3).astype(np.int16)) // 3
    score[~feasible] = -1
    if p.special_rows:
        col_pos = None
        for i, t in enumerate(rows.tolist()):
            adjust = p.special_rows.get(t)
            if not adjust:
                continue
            if col_pos is None:
                col_pos = {int(u): j for j, u in enumerate(cols.tolist())}
            for u, delta in adjust.items():
                j = col_pos.get(u)
                if j is None:
                    continue
                if delta is None:
                    score[i, j] = -1
                elif score[i, j] >= 0:
                    score[i, j] += delta
    return score


def _iter_blocks(
    p: _Problem, options: Options, order_key: np.ndarray | None = None
) -> Iterable[tuple[np.ndarray, np.ndarray]]:
    for rows, cols in p.groups:
        if order_key is not None:
            rows = rows[np.argsort(order_key[rows], kind="stable")]
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


def _candidates(p: _Problem, options: Options, full: bool) -> tuple[_Arcs, np.ndarray, int]:
    """Candidate arcs (all feasible arcs when ``full``) and each learner class's best feasible
    score (-1 if none). Candidates are the best mentor classes of every learner class and the
    best learner classes of every mentor class; pricing later adds whatever is missing."""
    T, U = len(p.l_count), len(p.m_cap)
    best = np.full(T, -1, dtype=np.int64)
    ts, us, ss = [], [], []
    pairs = 0
    k0 = options.candidates_per_class
    r = int(min(max(8, 2 * int(p.m_cap.max(initial=1))), 64))
    top_s = np.full((r, U), -1, dtype=np.int64)  # mentor side: best learner classes per column
    top_t = np.full((r, U), -1, dtype=np.int64)
    for rows, cols in _iter_blocks(p, options):
        score = _block_scores(p, rows, cols, options)
        pairs += score.size
        best[rows] = np.maximum(best[rows], score.max(axis=1))
        if full:
            ri, ci = np.nonzero(score >= 0)
        else:
            k = min(len(cols), k0 + int(p.l_count[rows].max()) // 2, 200)
            if k < len(cols):
                top = np.argpartition(-score, k - 1, axis=1)[:, :k]
            else:
                top = np.broadcast_to(np.arange(len(cols)), (len(rows), len(cols)))
            picked = np.take_along_axis(score, top, axis=1)
            ri, j = np.nonzero(picked >= 0)
            ci = top[ri, j]
            # Merge this block's best rows per column into the mentor-side lists.
            kk = min(r, len(rows))
            part = np.argpartition(-score, kk - 1, axis=0)[:kk] if kk < len(rows) else None
            cand_s = np.take_along_axis(score, part, axis=0) if part is not None else score
            cand_t = rows[part] if part is not None else np.repeat(rows[:, None], len(cols), 1)
            merged_s = np.concatenate([top_s[:, cols], cand_s.astype(np.int64)], axis=0)
            merged_t = np.concatenate([top_t[:, cols], cand_t], axis=0)
            keep = np.argpartition(-merged_s, r - 1, axis=0)[:r]
            top_s[:, cols] = np.take_along_axis(merged_s, keep, axis=0)
            top_t[:, cols] = np.take_along_axis(merged_t, keep, axis=0)
        ts.append(rows[ri])
        us.append(cols[ci])
        ss.append(score[ri, ci].astype(np.int64))
    if not full:
        ok = top_s >= 0
        cols_idx = np.broadcast_to(np.arange(U), top_s.shape)
        ts.append(top_t[ok])
        us.append(cols_idx[ok])
        ss.append(top_s[ok])
    if ts:
        t_all, u_all, s_all = np.concatenate(ts), np.concatenate(us), np.concatenate(ss)
        _, first = np.unique(t_all * U + u_all, return_index=True)
        arcs = _Arcs(t_all[first], u_all[first], s_all[first])
    else:
        empty = np.zeros(0, dtype=np.int64)
        arcs = _Arcs(empty, empty.copy(), empty.copy())
    return arcs, best, pairs


@dataclass
class _Flow:
    arcs: _Arcs
    flow: np.ndarray  # flow on each class arc
    cost: int
    tails: np.ndarray  # all arcs of the network (for the residual graph)
    heads: np.ndarray
    caps: np.ndarray
    costs: np.ndarray
    flows: np.ndarray


def _solve_flow(
    p: _Problem,
    arcs: _Arcs,
    costs: np.ndarray,
    *,
    exact_flow: int | None = None,
) -> _Flow:
    """Min-cost flow; unmatched supply leaves by a zero-cost bypass unless ``exact_flow`` fixes
    how many learners must be matched."""
    T, U = len(p.l_count), len(p.m_cap)
    src, sink = 0, 1
    lt = 2 + np.arange(T, dtype=np.int64)
    mu = 2 + T + np.arange(U, dtype=np.int64)
    n = int(p.l_count.sum())
    tails = [np.zeros(T, dtype=np.int64) + src, 2 + arcs.t, mu]
    heads = [lt, 2 + T + arcs.u, np.zeros(U, dtype=np.int64) + sink]
    caps = [p.l_count, p.l_count[arcs.t], p.m_cap]
    cst = [np.zeros(T, dtype=np.int64), costs, np.zeros(U, dtype=np.int64)]
    if exact_flow is None:
        tails.append(np.array([src]))
        heads.append(np.array([sink]))
        caps.append(np.array([n]))
        cst.append(np.array([0]))
    tail = np.concatenate(tails).astype(np.int32)
    head = np.concatenate(heads).astype(np.int32)
    cap = np.concatenate(caps).astype(np.int64)
    cost = np.concatenate(cst).astype(np.int64)
    smcf = min_cost_flow.SimpleMinCostFlow()
    smcf.add_arcs_with_capacity_and_unit_cost(tail, head, cap, cost)
    supply = n if exact_flow is None else exact_flow
    smcf.set_node_supply(src, supply)
    smcf.set_node_supply(sink, -supply)
    status = smcf.solve()
    if status != smcf.OPTIMAL:
        raise MatchingError(f"min-cost flow failed with status {status}")
    flows = np.asarray(smcf.flows(np.arange(len(tail), dtype=np.int32)), dtype=np.int64)
    class_flow = flows[T : T + len(arcs.t)]
    return _Flow(
        arcs, class_flow, int(smcf.optimal_cost()), tail.astype(np.int64), head.astype(np.int64),
        cap, cost, flows,
    )  # fmt: skip


def _potentials(flow: _Flow, n_nodes: int) -> np.ndarray:
    """Shortest-path distances on the residual graph from a virtual root (Bellman–Ford,
    vectorised). They satisfy ``cost + d[tail] - d[head] >= 0`` on every residual arc, i.e.
    they are optimal LP duals of the flow problem."""
    fwd = flow.flows < flow.caps
    bwd = flow.flows > 0
    rt = np.concatenate([flow.tails[fwd], flow.heads[bwd]])
    rh = np.concatenate([flow.heads[fwd], flow.tails[bwd]])
    rc = np.concatenate([flow.costs[fwd], -flow.costs[bwd]])
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


def _price(
    p: _Problem, options: Options, d: np.ndarray, best: np.ndarray, known: np.ndarray, per_row: int
) -> tuple[_Arcs, int]:
    """Feasible arcs not yet in the network whose reduced cost is negative."""
    T = len(p.l_count)
    U = len(p.m_cap)
    dt = d[2 : 2 + T]
    du = d[2 + T : 2 + T + U]
    # An arc t→u can violate only if d[u] > d[t] - best[t]; classes without any feasible
    # mentor never can.
    slack = np.where(best >= 0, dt - best, np.iinfo(np.int64).max // 4)
    ts, us, ss = [], [], []
    checked = 0
    for rows, cols, width in _staircase(p, options, slack, du):
        sub = cols[:width]
        score = _block_scores(p, rows, sub, options)
        checked += score.size
        viol = (score >= 0) & (score + du[sub][None, :] > dt[rows][:, None])
        r, c = np.nonzero(viol)
        if not len(r):
            continue
        keys = rows[r] * U + sub[c]
        pos = np.minimum(np.searchsorted(known, keys), max(len(known) - 1, 0))
        fresh = known[pos] != keys if len(known) else np.ones(len(keys), dtype=bool)
        r, c = r[fresh], c[fresh]
        if not len(r):
            continue
        # Keep the most violating arcs of each row.
        gain = score[r, c] + du[sub[c]] - dt[rows[r]]
        order = np.lexsort((-gain, r))
        r, c = r[order], c[order]
        first = np.searchsorted(r, r, side="left")
        rank = np.arange(len(r)) - first
        keep = rank < per_row
        ts.append(rows[r[keep]])
        us.append(sub[c[keep]])
        ss.append(score[r[keep], c[keep]].astype(np.int64))
    if ts:
        return _Arcs(np.concatenate(ts), np.concatenate(us), np.concatenate(ss)), checked
    empty = np.zeros(0, dtype=np.int64)
    return _Arcs(empty, empty.copy(), empty.copy()), checked


def _staircase(
    p: _Problem, options: Options, slack: np.ndarray, du: np.ndarray
) -> Iterable[tuple[np.ndarray, np.ndarray, int]]:
    """Blocks for pricing: in each group, columns by ``d[u]`` descending and rows by slack
    ascending, so that row ``t`` needs only the first ``n_t`` columns (those with
    ``d[u] > slack[t]``); consecutive rows needing similar widths share a block."""
    for rows, cols in p.groups:
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
    if T == 0 or U == 0 or not p.groups:
        return _result(learners, mentors, options, p, None, stats, started)

    report(0.15, "candidates")
    arcs, best, pairs = _candidates(p, options, full=options.fairness)
    stats["pairs_scored"] = pairs
    n_nodes = 2 + T + U
    rounds = 0
    while True:
        report(min(0.4 + 0.1 * rounds, 0.8), "flow")
        flow = _solve_flow(p, arcs, -arcs.s)
        if options.fairness:  # all feasible arcs are present: optimal without pricing
            break
        d = _potentials(flow, n_nodes)
        extra, checked = _price(
            p, options, d, best, np.sort(arcs.keys(U)), 2 * options.candidates_per_class
        )
        stats["pairs_priced"] = stats.get("pairs_priced", 0) + checked
        rounds += 1
        if not len(extra.t):
            break
        arcs = _merge(arcs, extra)
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
    return _result(learners, mentors, options, p, flow, stats, started)


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
    matched: set[int] = set()
    if flow is not None:
        remaining = [list(members) for members in p.l_members]
        seats: list[list[tuple[int, int]]] = [
            [(i, mentors[i].capacity) for i in members] for members in p.m_members
        ]
        order = np.argsort(-flow.arcs.s, kind="stable")
        for a in order.tolist():
            f = int(flow.flow[a])
            if f <= 0:
                continue
            t, u = int(flow.arcs.t[a]), int(flow.arcs.u[a])
            for _ in range(f):
                li = remaining[t].pop(0)
                while seats[u][0][1] == 0:
                    seats[u].pop(0)
                mi, left = seats[u][0]
                seats[u][0] = (mi, left - 1)
                learner, mentor = learners[li], mentors[mi]
                components = explain_pair(learner, mentor, options)
                proposals.append(
                    Proposal(learner.key, mentor.key, sum(components.values()), components)
                )
                matched.add(li)
    total = sum(x.score for x in proposals)
    stats["seconds"] = round(time.perf_counter() - started, 3)
    return Result(
        proposals=proposals,
        unmatched=[learner.key for i, learner in enumerate(learners) if i not in matched],
        total_score=total,
        worst_score=min((x.score for x in proposals), default=None),
        stats=stats,
    )


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
        score = _block_scores(p, rows, cols, options)
        k = min(shallow, len(cols))
        top = np.argpartition(-score, k - 1, axis=1)[:, :k] if k < len(cols) else None
        for i, t in enumerate(rows.tolist()):
            idx = top[i] if top is not None else np.arange(len(cols))
            sc = score[i, idx]
            order = np.lexsort((cols[idx], -sc))
            ok = sc[order] >= 0
            lists[t] = (cols[idx][order][ok], sc[order][ok])
    full_done: set[int] = set()
    pointer = np.zeros(T, dtype=np.int64)
    seats = p.m_cap.copy()
    class_of = np.empty(len(learners), dtype=np.int64)
    for t, members in enumerate(p.l_members):
        class_of[members] = t
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
            sc = _block_scores(p, np.array([t]), cols, options)[0]
            order = np.lexsort((cols, -sc))
            ok = sc[order] >= 0
            lists[t] = (cols[order][ok], sc[order][ok])
            pointer[t] = 0
            full_done.add(t)
    # Within a mentor class the seats are interchangeable: fill them in order.
    fill = [list(members) for members in p.m_members]
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
    individual learners and mentors (no classes, no pruning). Used for independent checks."""
    options = options or Options()
    p = _encode(learners, mentors, options)
    T = len(p.l_count)
    if T == 0 or not p.groups:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty.copy(), empty.copy()
    arcs, _best, _pairs = _candidates(p, options, full=True)
    li, mi, sc = [], [], []
    for t, u, s in zip(arcs.t.tolist(), arcs.u.tolist(), arcs.s.tolist(), strict=True):
        for a in p.l_members[t]:
            for b in p.m_members[u]:
                li.append(a)
                mi.append(b)
                sc.append(s)
    return np.array(li, dtype=np.int64), np.array(mi, dtype=np.int64), np.array(sc, dtype=np.int64)
