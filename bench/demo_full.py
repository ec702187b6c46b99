#!/usr/bin/env python
"""Measure ``seed_demo --size full`` (about 20,000 applicants): seconds in total, per app and
per part of an app.

Runs migrate and ``seed_demo -v 2`` in a fresh SQLite data directory, or, with
``--database-url``, in a fresh PostgreSQL database it creates and drops. The last line is one
JSON object: ``{"size", "seed", "database", "total_seconds", "apps": {label: seconds},
"steps": {"app.part": seconds}, "counts": {table: rows}}``.

    .venv/bin/python bench/demo_full.py
    .venv/bin/python bench/demo_full.py --size small
    .venv/bin/python bench/demo_full.py --database-url postgres://postgres@127.0.0.1:5432/sl_bench

Two cores are enough for one run at a time; a second run at the same time measures both badly.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
APP_LINE = re.compile(r"^  (?P<app>[a-z_]+): (?P<seconds>[0-9.]+)s$")
STEP_LINE = re.compile(r"^    (?P<step>[a-z_]+\.[^:]+): (?P<seconds>[0-9.]+)s$")
TOTAL_LINE = re.compile(r"^demo data \(.*\) in (?P<seconds>[0-9.]+)s$")
COUNTED = (
    "accounts_user",
    "eligibility_application",
    "eligibility_membership",
    "enrollment_selection",
    "enrollment_seat",
    "enrollment_budgetentry",
    "lrs_statement",
    "mentoring_session",
    "learning_planitem",
    "learning_portfolioentry",
)


def run(cmd: list[str], env: dict[str, str]) -> str:
    started = time.monotonic()
    out = subprocess.run(cmd, cwd=ROOT, env=env, check=True, capture_output=True, text=True)
    print(f"$ {' '.join(cmd[1:])}  ({time.monotonic() - started:.1f}s)", flush=True)
    return out.stdout


def parse(output: str) -> tuple[float | None, dict[str, float], dict[str, float]]:
    apps: dict[str, float] = {}
    steps: dict[str, float] = {}
    total = None
    for line in output.splitlines():
        if match := APP_LINE.match(line):
            apps[match["app"]] = float(match["seconds"])
        elif match := STEP_LINE.match(line):
            steps[match["step"]] = float(match["seconds"])
        elif match := TOTAL_LINE.match(line):
            total = float(match["seconds"])
    return total, apps, steps


COUNT_SCRIPT = """
import json
from django.db import connection
with connection.cursor() as cursor:
    counts = {}
    for table in %r:
        cursor.execute(f"SELECT COUNT(*) FROM {table}")
        counts[table] = cursor.fetchone()[0]
print(json.dumps(counts))
"""


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", default="full", choices=["small", "full"])
    parser.add_argument("--seed", default="2022")
    parser.add_argument("--today", default="", help="pretend date (YYYY-MM-DD)")
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as data_dir:
        env = dict(os.environ, SEOULLEARN_DATA_DIR=data_dir, PYTHONPATH=str(ROOT))
        env.pop("DATABASE_URL", None)
        db_name = admin = ""
        if args.database_url:
            url = urlparse(args.database_url)
            db_name = url.path.lstrip("/")
            admin = args.database_url.rsplit("/", 1)[0] + "/postgres"
            subprocess.run(["psql", admin, "-qc", f"DROP DATABASE IF EXISTS {db_name}"], check=True)
            subprocess.run(["psql", admin, "-qc", f"CREATE DATABASE {db_name}"], check=True)
            env["DATABASE_URL"] = args.database_url
        try:
            python = sys.executable
            run([python, "manage.py", "migrate", "-v", "0"], env)
            seed = ["seed_demo", "--size", args.size, "--seed", args.seed, "-v", "2"]
            if args.today:
                seed += ["--today", args.today]
            started = time.monotonic()
            out = run([python, "manage.py", *seed], env)
            wall = time.monotonic() - started
            total, apps, steps = parse(out)
            for name, seconds in apps.items():
                print(f"  {name}: {seconds:.1f}s")
                for step, step_seconds in steps.items():
                    if step.startswith(f"{name}."):
                        print(f"    {step}: {step_seconds:.1f}s")
            counts = json.loads(
                run([python, "manage.py", "shell", "-c", COUNT_SCRIPT % (COUNTED,)], env)
            )
        finally:
            if db_name:
                subprocess.run(
                    ["psql", admin, "-qc", f"DROP DATABASE IF EXISTS {db_name}"], check=False
                )
    print(
        json.dumps(
            {
                "size": args.size,
                "seed": int(args.seed),
                "database": "postgresql" if args.database_url else "sqlite",
                "total_seconds": total,
                "command_seconds": round(wall, 1),
                "apps": apps,
                "steps": steps,
                "counts": counts,
            },
            ensure_ascii=False,
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
