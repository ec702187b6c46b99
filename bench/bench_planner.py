"""How fast the weekly plan generator is (pure Python, no database).

Run: .venv/bin/python bench/bench_planner.py [learners]
Prints plans per second for varied inputs, so the Monday job for every learner can be sized.
"""

from __future__ import annotations

import datetime as dt
import random
import sys
import time

from seoullearn.learning import planner

SUBJECTS = ["korean", "math", "english", "science", "social", "history", "coding", "reading"]


def sample(rng: random.Random, monday: dt.date) -> planner.PlanInput:
    subjects = tuple(rng.sample(SUBJECTS, rng.randint(1, 4)))
    return planner.PlanInput(
        week_start=monday,
        availability=tuple(rng.choice([0, 30, 45, 60, 90, 120]) for _ in range(7)),  # type: ignore[arg-type]
        subjects=subjects,
        goals=tuple(
            planner.Goal(key=str(i), title=f"g{i}", subject=rng.choice(subjects))
            for i in range(rng.randint(0, 3))
        ),
        offerings=(planner.Offering(key="milkt", name="밀크T", subjects=subjects[:2]),),
        fixed=tuple(
            planner.FixedEvent(
                day=monday + dt.timedelta(days=rng.randint(0, 6)),
                minutes=50,
                kind="consulting",
                title="상담",
            )
            for _ in range(rng.randint(0, 2))
        ),
        progress=planner.Progress(
            planned_minutes=rng.randint(0, 600), done_minutes=rng.randint(0, 700)
        ),
        session_minutes=rng.choice([25, 30, 40, 50]),
        learning_style=rng.choice(["", "visual", "reading"]),
        quotas=(planner.QuotaOffer(key="in-depth", kind="consulting", title="심층", remaining=2),),
    )


def main() -> None:
    learners = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    rng = random.Random(2022)
    monday = dt.date(2026, 3, 2)
    inputs = [sample(rng, monday) for _ in range(learners)]
    started = time.perf_counter()
    items = sum(len(planner.generate(data).items) for data in inputs)
    elapsed = time.perf_counter() - started
    print(
        f"{learners} plans, {items} items in {elapsed:.2f}s: "
        f"{learners / elapsed:,.0f} plans/s ({elapsed / learners * 1000:.3f} ms each)"
    )


if __name__ == "__main__":
    main()
