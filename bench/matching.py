"""Benchmark of the mentor-matching engine on a generated, realistic instance.

    .venv/bin/python bench/matching.py --learners 16000 --mentors 1500 --seed 1
    .venv/bin/python bench/matching.py --learners 200000 --mentors 20000 --seed 1

The instance follows the shape of Seoul Learn's applications: Seoul's 25 districts weighted by
where members live, school levels and grades, one to three subjects (mathematics and English
most asked for), a desired major, interests, online/offline/either, a weekly availability grid
of 14 slots, a few learners needing a mentor who speaks their family's language or asking for
a female mentor, some learners continuing with a previous mentor. Mentors are university
students with a major, the school levels and subjects they teach, their districts for offline
meetings and their own availability.

The last line printed is one JSON object:

- ``seconds``, ``peak_mib``: the engine's wall time and the process's peak memory after it;
- ``total_score``, ``unmatched``, ``worst_score``: the engine's result;
- ``optimum``: the optimum by an independent method — the LP relaxation of the complete
  learner × mentor problem (every feasible pair a variable, no classes, no pruning) solved by
  HiGHS (``scipy.optimize.linprog(method="highs")``); the constraint matrix is totally
  unimodular, so the LP optimum is the integer optimum. ``null`` when the LP is larger than
  ``--lp-max-vars`` (then ``lp_status`` says so);
- ``gap``: ``(optimum - total_score) / optimum`` (0 means the engine is exact);
- ``greedy_gap``: the same for a first-come-first-served greedy baseline on the same instance.
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
SUBJECT_WEIGHTS = [30, 25, 12, 10, 6, 6, 5, 6]
MAJORS = [
    "engineering", "natural_science", "medicine", "education", "business", "humanities",
    "social_science", "arts", "computing",
]  # fmt: skip
INTERESTS = ["reading", "science", "art", "music", "sports", "games", "languages", "volunteering"]
SLOTS = [f"{day}-{part}" for day in ("mon", "tue", "wed", "thu", "fri") for part in ("pm", "ev")]
SLOTS += [f"{day}-{part}" for day in ("sat", "sun") for part in ("am", "pm")]
SLOT_WEIGHTS = [3 if s.endswith("ev") else 2 if s.startswith(("sat", "sun")) else 1 for s in SLOTS]
LANGUAGES = ["vi", "zh", "ru", "en"]
# More members live in the north-east and south-west districts.
DISTRICT_WEIGHTS = {"11350": 8, "11320": 5, "11305": 6, "11260": 6, "11500": 7, "11530": 5,
                    "11545": 4, "11620": 6, "11710": 6, "11740": 4}  # fmt: skip


def _pick(rng: random.Random, items: list[str], weights: list[int], k: int) -> frozenset[str]:
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
    dweights = [DISTRICT_WEIGHTS.get(c, 3) for c in codes]
    levels = ["elementary", "middle", "high"]
    grades = {"elementary": (4, 6), "middle": (7, 9), "high": (10, 12)}
    mentors = []
    for i in range(n_mentors):
        mode = rng.choices(["online", "offline", "both"], [45, 15, 40])[0]
        home = rng.choices(codes, dweights)[0]
        teach = rng.choices([["elementary"], ["middle"], ["high"], ["middle", "high"],
                             ["elementary", "middle"]], [20, 20, 25, 25, 10])[0]  # fmt: skip
        mentors.append(
            matching.MentorIn(
                key=f"m{i}",
                capacity=capacity if capacity is not None else rng.choice([2, 3, 4, 4]),
                school_levels=frozenset(teach),
                subjects=_pick(rng, SUBJECTS, SUBJECT_WEIGHTS, rng.choice([2, 2, 3])),
                major_field=rng.choice(MAJORS),
                interests=_pick(rng, INTERESTS, [1] * len(INTERESTS), rng.choice([1, 2, 3])),
                mode=mode,
                districts=frozenset([home, *_neighbours(home, rng.choice([0, 1, 2]))])
                if mode != "online"
                else frozenset(),
                availability=_pick(rng, SLOTS, SLOT_WEIGHTS, rng.choice([3, 4, 5, 6])),
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
                    rng, SUBJECTS, SUBJECT_WEIGHTS, rng.choices([1, 2, 3], [50, 40, 10])[0]
                ),
                desired_major="" if rng.random() < 0.3 else rng.choice(MAJORS),
                interests=_pick(rng, INTERESTS, [1] * len(INTERESTS), rng.choice([0, 1, 2])),
                mode=rng.choices(["online", "offline", "either"], [55, 20, 25])[0],
                district=rng.choices(codes, dweights)[0],
                availability=_pick(rng, SLOTS, SLOT_WEIGHTS, rng.choice([2, 3, 4])),
                languages=frozenset({rng.choice(LANGUAGES)})
                if rng.random() < 0.03
                else frozenset(),
                mentor_gender=rng.choices(["", "female", "male"], [87, 10, 3])[0],
                previous_mentor=prev,
            )
        )
    coords = {d.code: (d.lat, d.lon) for d in SEOUL_DISTRICTS}
    return learners, mentors, matching.Options(max_distance_km=4.0, district_coords=coords)


def lp_optimum(
    learners: list[matching.LearnerIn],
    mentors: list[matching.MentorIn],
    options: matching.Options,
    max_vars: int,
) -> tuple[int | None, str, int]:
    """Optimum of the LP relaxation over every feasible learner × mentor pair (HiGHS)."""
    from scipy.optimize import linprog
    from scipy.sparse import coo_matrix, vstack

    li, mi, sc = matching.feasible_pairs(learners, mentors, options)
    n = len(sc)
    if n > max_vars:
        return None, f"skipped: {n} variables > --lp-max-vars {max_vars}", n
    if n == 0:
        return 0, "empty", 0
    cols = np.arange(n)
    a_l = coo_matrix((np.ones(n), (li, cols)), shape=(len(learners), n))
    a_m = coo_matrix((np.ones(n), (mi, cols)), shape=(len(mentors), n))
    a_ub = vstack([a_l, a_m]).tocsr()
    b_ub = np.concatenate([np.ones(len(learners)), [m.capacity for m in mentors]])
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

    greedy_total = None
    greedy_seconds = None
    if not args.no_greedy:
        t2 = time.perf_counter()
        baseline = matching.greedy(learners, mentors, options)
        greedy_seconds = time.perf_counter() - t2
        greedy_total = baseline.total_score

    t3 = time.perf_counter()
    optimum, lp_status, lp_vars = lp_optimum(learners, mentors, options, args.lp_max_vars)
    lp_seconds = time.perf_counter() - t3
    reference = optimum if optimum is not None else None
    out = {
        "learners": len(learners),
        "mentors": len(mentors),
        "capacity_total": sum(m.capacity for m in mentors),
        "seconds": round(seconds, 3),
        "peak_mib": round(peak_mib, 1),
        "total_score": result.total_score,
        "optimum": optimum,
        "gap": None if not reference else round((reference - result.total_score) / reference, 6),
        "greedy_total": greedy_total,
        "greedy_gap": None
        if greedy_total is None
        else round(
            ((reference or result.total_score) - greedy_total) / (reference or result.total_score),
            4,
        ),
        "greedy_seconds": None if greedy_seconds is None else round(greedy_seconds, 2),
        "unmatched": len(result.unmatched),
        "worst_score": result.worst_score,
        "valid": not problems,
        "lp_status": lp_status,
        "lp_variables": lp_vars,
        "lp_seconds": round(lp_seconds, 1),
        "learner_classes": result.stats.get("learner_classes"),
        "arcs": result.stats.get("arcs"),
        "pricing_rounds": result.stats.get("pricing_rounds"),
    }
    print(json.dumps(out))


if __name__ == "__main__":
    main()
