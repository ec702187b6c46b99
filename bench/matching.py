"""Benchmark of the mentor-matching engine on a generated instance shaped like Seoul's.

    .venv/bin/python bench/matching.py --learners 16000 --mentors 1500 --seed 1
    .venv/bin/python bench/matching.py --learners 200000 --mentors 20000 --seed 1

The instance
------------
Learners are Seoul Learn members: school level and grade; one to three subjects, with the mix
shifting by level (mathematics and English first everywhere, science growing towards high
school); a desired major; interests; online, offline or either; the district they live in,
weighted towards the districts where low-income families concentrate (north-east and
south-west); a weekly grid of 14 slots whose shape depends on the level (primary pupils are
free on weekday afternoons, high-school students only in the evening and at weekends); a few
need a mentor who speaks their family's language, ask for a female mentor, or continue with a
previous mentor.

Mentors are university students. What they can teach follows their major (science from the
natural sciences, medicine and engineering; coding from computing and engineering; Korean and
essays from the humanities and education; English and career from almost anyone), so some
combinations are scarce — high-school science most of all — without being written in. Most
meet online; those who meet offline name their home district and up to two neighbours, and
their homes lean towards the university districts (Seodaemun, Seongbuk, Dongdaemun, Gwanak,
Mapo, Gwangjin, Seongdong, Dongjak, Nowon), not where learners live. Their week is a
student's: weekday afternoons between classes, evenings, and fewer weekend mornings.

These weights are assumptions for a benchmark, not statistics; they are stated here so that a
reader can judge them. An earlier version of this generator drew mentors' subjects and
districts from the learners' own distributions, independently of the major, and gave both
sides the same week; that hid the mismatches a real programme meets (campus versus home
districts, STEM-only subjects, level-dependent time), so they were modelled as above.

The baseline and what it can show
---------------------------------
``greedy_gap`` compares the first-come-first-served baseline (:func:`matching.greedy`: each
learner, in application order, takes the best-scoring feasible mentor who still has a place —
what a manual process does) with the optimum. With 16,000 learners for ~4,900 places (and
200,000 for ~65,000) both fill every place they can, and every match earns the same base score
(40 of at most ~115), so the gap measures fit only (major, subjects, shared slots): 13.8 % at
16k and 12.8 % at 200k (seed 1), not the 24–30 % sometimes quoted for greedy matching. A gap
that large needs the baseline to leave places empty or learners stranded, which happens when
demand and supply are close, not when learners outnumber places three to one. The generator
was reviewed for realism, not tuned towards either figure.

Output
------
The last line printed is one JSON object:

- ``seconds``: the engine's wall time for :func:`matching.solve` on the generated objects,
  i.e. encoding the inputs, building the graph, solving, certifying and writing the proposals
  (generation, checks and the baselines are not included); ``peak_mib``: the process's peak
  resident memory right after it (the instance itself included);
- ``total_score``, ``unmatched``, ``worst_score``: the engine's result;
- ``optimum``: the optimum by an independent method — the LP relaxation of the complete
  learner × mentor problem (every feasible pair a variable, no classes, no pruning) solved by
  HiGHS (``scipy.optimize.linprog(method="highs")``). The pairs and their scores come from a
  reference scorer written here from the rules (individual learners and mentors, int64 bit
  masks, nothing shared with the engine's scorer), itself checked against the scalar
  definition :func:`matching.pair_score` on random pairs. The constraint matrix is totally
  unimodular, so the LP optimum is the integer optimum. ``null`` when the LP would have more
  than ``--lp-max-vars`` variables; ``lp_status`` then says how many and why;
- ``gap``: ``(optimum - total_score) / optimum`` (0 means the engine is exact);
- ``greedy_gap``: the same for the baseline, against ``optimum`` or, when there is none, against
  the engine's certified optimum (``greedy_reference`` says which).
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from seoullearn.core.geo import SEOUL_DISTRICTS
from seoullearn.mentoring import matching

SUBJECTS = ["math", "english", "korean", "science", "social", "coding", "essay", "career"]
# Learners' demand by school level.
SUBJECT_DEMAND = {
    "elementary": [30, 25, 18, 6, 5, 8, 6, 2],
    "middle": [32, 27, 10, 12, 6, 5, 4, 4],
    "high": [32, 22, 10, 18, 6, 3, 4, 5],
}
MAJORS = [
    "engineering", "natural_science", "medicine", "education", "business", "humanities",
    "social_science", "arts", "computing",
]  # fmt: skip
# Mentors' majors (engineering and the social sciences largest) and learners' wishes.
MAJOR_SUPPLY = [24, 9, 6, 7, 12, 11, 15, 8, 8]
MAJOR_WISH = [3, 1, 3, 2, 2, 1, 1, 2, 3]
# What a mentor of each major can teach (weights over SUBJECTS).
TEACHES = {
    "engineering": [4, 1, 0, 3, 0, 2, 0, 1],
    "natural_science": [4, 1, 0, 4, 0, 0, 0, 1],
    "medicine": [3, 2, 0, 4, 0, 0, 0, 1],
    "computing": [4, 1, 0, 0, 0, 4, 0, 1],
    "education": [2, 3, 2, 0, 2, 0, 2, 1],
    "business": [2, 3, 0, 0, 2, 0, 0, 2],
    "humanities": [0, 3, 3, 0, 2, 0, 3, 1],
    "social_science": [1, 3, 2, 0, 3, 0, 2, 1],
    "arts": [0, 2, 1, 0, 0, 0, 1, 3],
}
INTERESTS = ["reading", "science", "art", "music", "sports", "games", "languages", "volunteering"]
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")
SLOTS = [f"{day}-{part}" for day in WEEKDAYS for part in ("pm", "ev")]
SLOTS += [f"{day}-{part}" for day in ("sat", "sun") for part in ("am", "pm")]


def _week(pm: int, ev: int, am: int, wpm: int) -> list[int]:
    """Slot weights: weekday afternoon, weekday evening, weekend morning, weekend afternoon."""
    return [pm if s.endswith("-pm") and s[:3] in WEEKDAYS else ev if s.endswith("-ev") else
            am if s.endswith("-am") else wpm for s in SLOTS]  # fmt: skip


LEARNER_WEEK = {
    "elementary": _week(pm=3, ev=2, am=2, wpm=2),
    "middle": _week(pm=1, ev=3, am=2, wpm=2),
    "high": _week(pm=0, ev=3, am=2, wpm=3),
}
MENTOR_WEEK = _week(pm=2, ev=3, am=1, wpm=2)
LANGUAGES = ["vi", "zh", "ru", "en"]
# Learners: more members live in the north-east and south-west districts.
LEARNER_DISTRICTS = {"11350": 8, "11320": 5, "11305": 6, "11260": 6, "11500": 7, "11530": 5,
                     "11545": 4, "11620": 6, "11710": 6, "11740": 4, "11380": 5}  # fmt: skip
# Mentors' homes: half near a university district, half spread like the population.
CAMPUS_DISTRICTS = {"11410": 6, "11290": 5, "11230": 5, "11620": 4, "11440": 4, "11215": 3,
                    "11200": 3, "11590": 3, "11350": 3, "11110": 2, "11140": 1,
                    "11170": 1}  # fmt: skip


def _pick(rng: random.Random, items: list[str], weights: list[int], k: int) -> frozenset[str]:
    k = min(k, sum(1 for w in weights if w > 0))
    chosen: set[str] = set()
    while len(chosen) < k:
        chosen.add(rng.choices(items, weights)[0])
    return frozenset(chosen)


def _neighbours(code: str, n: int) -> list[str]:
    ref = {d.code: d for d in SEOUL_DISTRICTS}[code]
    others = sorted(
        (d for d in SEOUL_DISTRICTS if d.code != code),
        key=lambda d: (d.lat - ref.lat) ** 2 + (d.lon - ref.lon) ** 2,
    )
    return [d.code for d in others[:n]]


def generate(
    n_learners: int, n_mentors: int, capacity: int | None, seed: int
) -> tuple[list[matching.LearnerIn], list[matching.MentorIn], matching.Options]:
    rng = random.Random(seed)
    codes = [d.code for d in SEOUL_DISTRICTS]
    learner_dw = [LEARNER_DISTRICTS.get(c, 3) for c in codes]
    campus_dw = [CAMPUS_DISTRICTS.get(c, 0) for c in codes]
    levels = ["elementary", "middle", "high"]
    grades = {"elementary": (4, 6), "middle": (7, 9), "high": (10, 12)}
    mentors = []
    for i in range(n_mentors):
        mode = rng.choices(["online", "offline", "both"], [60, 8, 32])[0]
        major = rng.choices(MAJORS, MAJOR_SUPPLY)[0]
        home = rng.choices(codes, campus_dw if rng.random() < 0.5 else [3] * len(codes))[0]
        teach = rng.choices([["elementary"], ["middle"], ["high"], ["middle", "high"],
                             ["elementary", "middle"]], [20, 20, 25, 25, 10])[0]  # fmt: skip
        mentors.append(
            matching.MentorIn(
                key=f"m{i}",
                capacity=capacity if capacity is not None else rng.choice([2, 3, 4, 4]),
                school_levels=frozenset(teach),
                subjects=_pick(rng, SUBJECTS, TEACHES[major], rng.choice([2, 2, 3])),
                major_field=major,
                interests=_pick(rng, INTERESTS, [1] * len(INTERESTS), rng.choice([1, 2, 3])),
                mode=mode,
                districts=frozenset([home, *_neighbours(home, rng.choice([0, 1, 2]))])
                if mode != "online"
                else frozenset(),
                availability=_pick(rng, SLOTS, MENTOR_WEEK, rng.choice([3, 4, 5, 6])),
                languages=frozenset({rng.choice(LANGUAGES)})
                if rng.random() < 0.08
                else frozenset(),
                gender=rng.choices(["female", "male"], [60, 40])[0],
            )
        )
    learners = []
    for i in range(n_learners):
        level = rng.choices(levels, [30, 35, 35])[0]
        prev = f"m{rng.randrange(n_mentors)}" if n_mentors and rng.random() < 0.03 else ""
        learners.append(
            matching.LearnerIn(
                key=f"l{i}",
                school_level=level,
                grade=rng.randint(*grades[level]),
                subjects=_pick(
                    rng, SUBJECTS, SUBJECT_DEMAND[level], rng.choices([1, 2, 3], [50, 40, 10])[0]
                ),
                desired_major="" if rng.random() < 0.3 else rng.choices(MAJORS, MAJOR_WISH)[0],
                interests=_pick(rng, INTERESTS, [1] * len(INTERESTS), rng.choice([0, 1, 2])),
                mode=rng.choices(["online", "offline", "either"], [55, 20, 25])[0],
                district=rng.choices(codes, learner_dw)[0],
                availability=_pick(rng, SLOTS, LEARNER_WEEK[level], rng.choice([2, 3, 4])),
                languages=frozenset({rng.choice(LANGUAGES)})
                if rng.random() < 0.03
                else frozenset(),
                mentor_gender=rng.choices(["", "female", "male"], [87, 10, 3])[0],
                previous_mentor=prev,
            )
        )
    coords = {d.code: (d.lat, d.lon) for d in SEOUL_DISTRICTS}
    return learners, mentors, matching.Options(max_distance_km=4.0, district_coords=coords)


# --------------------------------------------------------------------------------------------
# The independent reference: every feasible individual pair, from the rules
# --------------------------------------------------------------------------------------------


class Reference:
    """Hard constraints and scores of individual learner × mentor pairs, written from the rules
    in docs/mentoring.md with int64 bit masks (no classes, no pruning, no engine internals;
    offline reach comes from the scalar :func:`matching.mentor_reach`)."""

    def __init__(
        self,
        learners: list[matching.LearnerIn],
        mentors: list[matching.MentorIn],
        options: matching.Options,
    ) -> None:
        self.options = options
        bit: dict[str, dict[str, int]] = {}

        def mask(kind: str, items: frozenset[str]) -> int:
            table = bit.setdefault(kind, {})
            value = 0
            for item in items:
                value |= 1 << table.setdefault(item, len(table))
            return value

        def code(kind: str, item: str) -> int:
            table = bit.setdefault(kind, {})
            return table.setdefault(item, len(table))

        index = {m.key: j for j, m in enumerate(mentors)}
        self.m_level = np.array([mask("level", m.school_levels) for m in mentors], dtype=np.int64)
        self.m_subj = np.array([mask("subj", m.subjects) for m in mentors], dtype=np.int64)
        self.m_major = np.array(
            [code("major", m.major_field) if m.major_field else -1 for m in mentors]
        )
        self.m_int = np.array([mask("int", m.interests) for m in mentors], dtype=np.int64)
        self.m_online = np.array([m.mode in ("online", "both") for m in mentors])
        self.m_offline = np.array([m.mode in ("offline", "both") for m in mentors])
        self.m_reach = np.array(
            [mask("district", matching.mentor_reach(m, options)) for m in mentors], dtype=np.int64
        )
        self.m_slot = np.array([mask("slot", m.availability) for m in mentors], dtype=np.int64)
        self.m_lang = np.array([mask("lang", m.languages) for m in mentors], dtype=np.int64)
        self.m_gender = np.array([code("gender", m.gender) for m in mentors])
        self.m_cap = np.array([m.capacity for m in mentors], dtype=np.int64)
        self.l_level = np.array(
            [mask("level", frozenset({x.school_level})) for x in learners], dtype=np.int64
        )
        self.l_subj = np.array([mask("subj", x.subjects) for x in learners], dtype=np.int64)
        self.l_nsubj = np.array([max(len(x.subjects), 1) for x in learners], dtype=np.int64)
        self.l_major = np.array(
            [code("major", x.desired_major) if x.desired_major else -2 for x in learners]
        )
        self.l_int = np.array([mask("int", x.interests) for x in learners], dtype=np.int64)
        self.l_mode = np.array([("online", "offline", "either").index(x.mode) for x in learners])
        self.l_district = np.array(
            [mask("district", frozenset({x.district})) if x.district else 0 for x in learners],
            dtype=np.int64,
        )
        self.l_slot = np.array([mask("slot", x.availability) for x in learners], dtype=np.int64)
        self.l_lang = np.array([mask("lang", x.languages) for x in learners], dtype=np.int64)
        self.l_gender = np.array(
            [code("gender", x.mentor_gender) if x.mentor_gender else -1 for x in learners]
        )
        self.l_prev = np.array([index.get(x.previous_mentor, -1) for x in learners])
        self.excluded = [
            (i, index[k]) for i, x in enumerate(learners) for k in x.excluded_mentors if k in index
        ]

    def scores(self, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        """Scores of learners ``rows`` × mentors ``cols``; -1 where infeasible."""
        w, o = self.options.weights, self.options

        def both(a: np.ndarray, b: np.ndarray) -> np.ndarray:
            return a[rows][:, None] & b[cols][None, :]

        online = self.m_online[cols][None, :]
        offline = self.m_offline[cols][None, :] & (both(self.l_district, self.m_reach) != 0)
        mode = self.l_mode[rows][:, None]
        ok = np.where(mode == 0, online, np.where(mode == 1, offline, online | offline))
        ok &= both(self.l_level, self.m_level) != 0
        subj = np.bitwise_count(both(self.l_subj, self.m_subj)).astype(np.int64)
        ok &= subj > 0
        slots = np.bitwise_count(both(self.l_slot, self.m_slot)).astype(np.int64)
        ok &= slots >= o.min_common_slots
        ok &= (self.l_lang[rows][:, None] & ~self.m_lang[cols][None, :]) == 0
        gender = self.l_gender[rows][:, None]
        ok &= (gender < 0) | (gender == self.m_gender[cols][None, :])
        common = np.bitwise_count(both(self.l_int, self.m_int)).astype(np.int64)
        score = (
            w.base
            + w.subject * subj // self.l_nsubj[rows][:, None]
            + np.where(self.l_major[rows][:, None] == self.m_major[cols][None, :], w.major, 0)
            + w.interest * np.minimum(common, 2) // 2
            + w.availability * np.minimum(slots, 3) // 3
            + np.where(self.l_prev[rows][:, None] == cols[None, :], w.continuity, 0)
        )
        col_of = {int(c): j for j, c in enumerate(cols.tolist())}
        row_of = {int(r): i for i, r in enumerate(rows.tolist())}
        for i, j in self.excluded:
            if i in row_of and j in col_of:
                ok[row_of[i], col_of[j]] = False
        return np.where(ok, score, -1)

    def pairs(
        self, rows: np.ndarray, chunk_cells: int = 8_000_000
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        cols_all = np.arange(len(self.m_cap))
        step = max(1, chunk_cells // max(len(rows), 1))
        li, mi, sc = [], [], []
        for start in range(0, len(cols_all), step):
            cols = cols_all[start : start + step]
            s = self.scores(rows, cols)
            r, c = np.nonzero(s >= 0)
            li.append(rows[r])
            mi.append(cols[c])
            sc.append(s[r, c])
        return np.concatenate(li), np.concatenate(mi), np.concatenate(sc)


def check_reference(
    ref: Reference,
    learners: list[matching.LearnerIn],
    mentors: list[matching.MentorIn],
    options: matching.Options,
    rng: np.random.Generator,
    n: int = 3000,
) -> int:
    """Pairs on which the reference scorer and the scalar definition disagree (half of the
    sample among the reference's feasible pairs, so both outcomes are tested)."""
    rows = rng.integers(0, len(learners), n)
    cols = rng.integers(0, len(mentors), n)
    feasible_rows = rng.integers(0, len(learners), 200)
    li, mi, _ = ref.pairs(feasible_rows)
    pick = rng.integers(0, max(len(li), 1), n) if len(li) else np.zeros(0, dtype=np.int64)
    rows = np.concatenate([rows, li[pick]]) if len(li) else rows
    cols = np.concatenate([cols, mi[pick]]) if len(li) else cols
    wrong = 0
    for i, j in zip(rows.tolist(), cols.tolist(), strict=True):
        expected = matching.pair_score(learners[i], mentors[j], options)
        got = int(ref.scores(np.array([i]), np.array([j]))[0, 0])
        wrong += (expected if expected is not None else -1) != got
    return wrong


def lp_optimum(
    ref: Reference, n_learners: int, max_vars: int, rng: np.random.Generator
) -> tuple[int | None, str, int]:
    """Optimum of the LP relaxation over every feasible learner × mentor pair (HiGHS)."""
    from scipy.optimize import linprog
    from scipy.sparse import coo_matrix, vstack

    sample = min(n_learners, 4000)
    if sample < n_learners:  # estimate the size before building anything large
        rows = np.sort(rng.choice(n_learners, sample, replace=False))
        estimate = int(len(ref.pairs(rows)[0]) * n_learners / sample)
        if estimate > 2 * max_vars:
            return (
                None,
                f"skipped: about {estimate:,} feasible learner-mentor pairs (estimated from "
                f"{sample:,} sampled learners) > --lp-max-vars {max_vars:,}; the LP over "
                "individual pairs does not fit in memory and time, and merging identical "
                "learners does not shrink it (almost every learner is distinct)",
                estimate,
            )
    li, mi, sc = ref.pairs(np.arange(n_learners))
    n = len(sc)
    if n > max_vars:
        return None, f"skipped: {n:,} variables > --lp-max-vars {max_vars:,}", n
    if n == 0:
        return 0, "empty", 0
    cols = np.arange(n)
    n_mentors = len(ref.m_cap)
    a_l = coo_matrix((np.ones(n), (li, cols)), shape=(n_learners, n))
    a_m = coo_matrix((np.ones(n), (mi, cols)), shape=(n_mentors, n))
    a_ub = vstack([a_l, a_m]).tocsr()
    b_ub = np.concatenate([np.ones(n_learners), ref.m_cap.astype(float)])
    res = linprog(-sc.astype(float), A_ub=a_ub, b_ub=b_ub, bounds=(0, 1), method="highs")
    if res.status != 0:
        return None, f"highs status {res.status}: {res.message}", n
    return round(-res.fun), "optimal", n


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--learners", type=int, required=True)
    parser.add_argument("--mentors", type=int, required=True)
    parser.add_argument("--capacity", type=int, default=None, help="group size for every mentor")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--fair", action="store_true", help="fairness option")
    parser.add_argument("--cohesion", action="store_true", help="second stage (groups)")
    parser.add_argument("--lp-max-vars", type=int, default=5_000_000)
    parser.add_argument("--no-greedy", action="store_true")
    parser.add_argument("--no-lp", action="store_true", help="skip the independent LP")
    args = parser.parse_args()

    t0 = time.perf_counter()
    learners, mentors, options = generate(args.learners, args.mentors, args.capacity, args.seed)
    if args.fair or args.cohesion:
        options = matching.Options(
            max_distance_km=options.max_distance_km,
            district_coords=options.district_coords,
            fairness=args.fair,
            cohesion=args.cohesion,
        )
    gen_seconds = time.perf_counter() - t0
    print(f"generated {len(learners)} learners, {len(mentors)} mentors in {gen_seconds:.1f}s")

    t1 = time.perf_counter()
    result = matching.solve(learners, mentors, options)
    seconds = time.perf_counter() - t1
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print("engine:", json.dumps(result.stats))
    problems = matching.check_assignment(learners, mentors, result.proposals, options)
    if problems:
        print("ASSIGNMENT BROKEN:", problems[:5])

    greedy_total = greedy_seconds = greedy_unmatched = None
    if not args.no_greedy:
        t2 = time.perf_counter()
        baseline = matching.greedy(learners, mentors, options)
        greedy_seconds = time.perf_counter() - t2
        greedy_total = baseline.total_score
        greedy_unmatched = len(baseline.unmatched)

    rng = np.random.default_rng(args.seed)
    ref = Reference(learners, mentors, options)
    mismatches = check_reference(ref, learners, mentors, options, rng)
    if mismatches:
        print(f"REFERENCE SCORER DISAGREES with pair_score on {mismatches} sampled pairs")
    t3 = time.perf_counter()
    if args.no_lp:
        optimum, lp_status, lp_vars = None, "skipped: --no-lp", 0
    elif mismatches:
        optimum, lp_status, lp_vars = None, "skipped: reference scorer disagrees", 0
    else:
        optimum, lp_status, lp_vars = lp_optimum(ref, len(learners), args.lp_max_vars, rng)
    lp_seconds = time.perf_counter() - t3
    reference = optimum if optimum else result.total_score
    out = {
        "learners": len(learners),
        "mentors": len(mentors),
        "capacity_total": sum(m.capacity for m in mentors),
        "seconds": round(seconds, 3),
        "peak_mib": round(peak_mib, 1),
        "total_score": result.total_score,
        "optimum": optimum,
        "gap": None if not optimum else round((optimum - result.total_score) / optimum, 6),
        "greedy_total": greedy_total,
        "greedy_gap": None
        if greedy_total is None or not reference
        else round((reference - greedy_total) / reference, 4),
        "greedy_reference": "lp_optimum" if optimum else "engine_certified_optimum",
        "greedy_unmatched": greedy_unmatched,
        "greedy_seconds": None if greedy_seconds is None else round(greedy_seconds, 2),
        "unmatched": len(result.unmatched),
        "worst_score": result.worst_score,
        "valid": not problems,
        "certified": result.stats.get("certified", False),
        "lp_status": lp_status,
        "lp_variables": lp_vars,
        "lp_seconds": round(lp_seconds, 1),
        "reference_mismatches": mismatches,
        "learner_classes": result.stats.get("learner_classes"),
        "arcs": result.stats.get("arcs"),
        "pricing_rounds": result.stats.get("pricing_rounds"),
        "phases": result.stats.get("phases"),
    }
    print(json.dumps(out))


if __name__ == "__main__":
    main()
