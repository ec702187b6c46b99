#!/usr/bin/env python
"""Measure how long ``seed_demo --size full`` (about 20,000 applicants) takes.

Runs migrate and seed_demo in a fresh SQLite data directory, or, with ``--database-url``, in
a fresh PostgreSQL database it creates and drops. Prints the seconds per app and in total.

    .venv/bin/python bench/eligibility_demo.py
    .venv/bin/python bench/eligibility_demo.py --database-url postgres://postgres@127.0.0.1:5432/sl_bench
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent


def run(cmd: list[str], env: dict[str, str]) -> str:
    started = time.monotonic()
    out = subprocess.run(cmd, cwd=ROOT, env=env, check=True, capture_output=True, text=True)
    print(f"$ {' '.join(cmd[1:])}  ({time.monotonic() - started:.1f}s)")
    return out.stdout


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", default="full", choices=["small", "full"])
    parser.add_argument("--seed", default="2022")
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as data_dir:
        env = dict(os.environ, SEOULLEARN_DATA_DIR=data_dir)
        env.pop("DATABASE_URL", None)
        db_name = ""
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
            out = run(
                [python, "manage.py", "seed_demo", "--size", args.size, "--seed", args.seed], env
            )
            print(
                "\n".join(
                    line
                    for line in out.splitlines()
                    if line.startswith(("  ", "demo data"))
                    and "learner" not in line
                    and "guardian" not in line
                )
            )
        finally:
            if db_name:
                subprocess.run(
                    ["psql", admin, "-qc", f"DROP DATABASE IF EXISTS {db_name}"], check=False
                )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
