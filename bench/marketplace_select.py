"""Bench: how fast members take seats, alone and racing (run against a scratch database).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/scratch \
        .venv/bin/python bench/marketplace_select.py

Migrates the database, builds a programme with five providers, makes N members and times
``selection_select`` one after another and from T threads at once (all for the same contract,
the worst case: every call waits on the same budget-line and contract locks). Prints figures;
asserts nothing about speed.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=300)
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    from seoullearn.enrollment import services
    from seoullearn.enrollment.models import BudgetEntry, Seat, Selection
    from seoullearn.enrollment.tests.factories import member, world

    BudgetEntry.objects.all().delete()
    Seat.objects.all().delete()
    Selection.objects.update(replaces=None)
    Selection.objects.all().delete()
    w = world(capacity=args.members // 2)
    members = [member(w.programme) for _ in range(args.members)]
    half = args.members // 2

    timings: list[float] = []
    for learner in members[:half]:
        started = time.perf_counter()
        services.selection_select(actor=learner, offering=w.offerings["welaaa"])
        timings.append((time.perf_counter() - started) * 1000)
    print(
        f"sequential: {half} selections, median {statistics.median(timings):.1f} ms, "
        f"p95 {sorted(timings)[int(len(timings) * 0.95)]:.1f} ms"
    )

    racing = members[half:]
    chunks = [racing[i :: args.threads] for i in range(args.threads)]
    lat: list[float] = []
    lock = threading.Lock()

    def worker(batch: list[object]) -> None:
        for learner in batch:
            started = time.perf_counter()
            services.selection_select(actor=learner, offering=w.offerings["mbest"])
            with lock:
                lat.append((time.perf_counter() - started) * 1000)
        connection.close()

    started = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(c,)) for c in chunks]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    seats = Seat.objects.filter(contract=w.contracts["mbest"]).count()
    waiting = Selection.objects.filter(contract=w.contracts["mbest"], status="waiting").count()
    print(
        f"{args.threads} threads, one contract: {len(lat)} selections in {wall:.1f} s "
        f"({len(lat) / wall:.0f}/s), median {statistics.median(lat):.1f} ms; "
        f"seats {seats} (capacity {w.contracts['mbest'].seat_capacity}), waiting {waiting}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
