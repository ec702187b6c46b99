#!/usr/bin/env python
"""Benchmark of the xAPI learning record store.

    .venv/bin/python bench/lrs.py [--quick] [--statements N] [--fresh]

Runs against the database DATABASE_URL names (PostgreSQL when set, SQLite otherwise), in a
scratch database of its own: ``<name>_lrsbench`` on the same PostgreSQL server, or a SQLite
file in a temporary directory. It never touches the configured database itself.

1. fills the store to N Statements (default 1,000,000; ``--quick``: 20,000) through the
   ingestion service (full validation, the same keys and rows as the HTTP path), unless the
   scratch database already holds them (``--fresh`` drops it first);
2. measures ingestion through the full Django request path (middleware, HTTP Basic
   authentication, JSON parsing, validation, storage, durable commit) for batches of 1, 10 and
   100 Statements: one client process, then ``--workers`` client processes at once (default 2,
   as a server with that many worker processes), each calling Django in process (no network);
3. measures GET /xapi/statements latency (p50/p95, limit=100) for the common queries: agent,
   agent+verb+since, activity, registration.

The last line printed is one JSON object with all figures, including ``statements_per_s``
(batches of 100, the better of one and ``--workers`` clients) and ``p95_query_ms``
(the worst p95 of the four queries).
"""

from __future__ import annotations

import argparse
import base64
import json
import multiprocessing
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

VERBS = [
    ("http://adlnet.gov/expapi/verbs/launched", "launched"),
    ("http://adlnet.gov/expapi/verbs/progressed", "progressed"),
    ("http://adlnet.gov/expapi/verbs/completed", "completed"),
    ("http://adlnet.gov/expapi/verbs/passed", "passed"),
    ("http://adlnet.gov/expapi/verbs/failed", "failed"),
    ("http://adlnet.gov/expapi/verbs/answered", "answered"),
    ("http://adlnet.gov/expapi/verbs/terminated", "terminated"),
    ("https://w3id.org/xapi/video/verbs/played", "played"),
]
SITE = "https://seoullearn.example"


class Corpus:
    """Deterministic, realistic Statements: members by pseudonymous account, provider courses
    with lessons, registrations per learner and course, results with durations and scores."""

    def __init__(self, size: int, seed: int = 2022) -> None:
        self.rng = random.Random(seed)
        self.agents = [
            str(uuid.UUID(int=self.rng.getrandbits(128))) for _ in range(max(50, size // 50))
        ]
        self.courses = [
            f"https://provider{n % 12}.example/courses/{n}" for n in range(max(10, size // 2000))
        ]
        self.lessons_per_course = 10
        self.registrations: dict[tuple[int, int], str] = {}

    def registration(self, agent: int, course: int) -> str:
        key = (agent, course)
        if key not in self.registrations:
            self.registrations[key] = str(uuid.UUID(int=self.rng.getrandbits(128)))
        return self.registrations[key]

    def statement(self) -> dict[str, Any]:
        rng = self.rng
        agent = rng.randrange(len(self.agents))
        course = rng.randrange(len(self.courses))
        lesson = rng.randrange(self.lessons_per_course)
        verb_id, verb_name = VERBS[rng.randrange(len(VERBS))]
        course_id = self.courses[course]
        statement: dict[str, Any] = {
            "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            "actor": {
                "objectType": "Agent",
                "account": {"homePage": SITE, "name": self.agents[agent]},
            },
            "verb": {"id": verb_id, "display": {"en-US": verb_name, "ko-KR": verb_name}},
            "object": {
                "objectType": "Activity",
                "id": f"{course_id}/lessons/{lesson}",
                "definition": {
                    "type": "http://adlnet.gov/expapi/activities/lesson",
                    "name": {"ko-KR": f"{lesson + 1}강", "en-US": f"Lesson {lesson + 1}"},
                },
            },
            "context": {
                "registration": self.registration(agent, course),
                "platform": "provider",
                "language": "ko-KR",
                "contextActivities": {
                    "parent": [{"objectType": "Activity", "id": course_id}],
                    "category": [{"id": "https://seoullearn.example/xapi/profile"}],
                },
                "extensions": {"https://seoullearn.example/xapi/extensions/device": "web"},
            },
            "timestamp": (
                f"2026-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}"
                f"T0{rng.randint(0, 9)}:1{rng.randint(0, 9)}:00.000+09:00"
            ),
        }
        if verb_id.endswith(("completed", "passed", "failed", "progressed", "terminated")):
            result: dict[str, Any] = {"duration": f"PT{rng.randint(1, 59)}M{rng.randint(0, 59)}S"}
            if verb_id.endswith(("passed", "failed")):
                raw = rng.randint(0, 100)
                result["score"] = {"scaled": raw / 100, "raw": raw, "min": 0, "max": 100}
                result["success"] = verb_id.endswith("passed")
            if verb_id.endswith("completed"):
                result["completion"] = True
            statement["result"] = result
        return statement


def prepare_database(fresh: bool) -> str:
    """Point Django at a scratch database; returns a description of it."""
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        import dj_database_url
        import psycopg

        config = dj_database_url.parse(url)
        scratch = f"{config['NAME']}_lrsbench"
        conninfo = psycopg.conninfo.make_conninfo(
            dbname="postgres",
            user=config.get("USER") or None,
            password=config.get("PASSWORD") or None,
            host=config.get("HOST") or None,
            port=config.get("PORT") or None,
        )
        with psycopg.connect(conninfo, autocommit=True) as conn:
            if fresh:
                conn.execute(f'DROP DATABASE IF EXISTS "{scratch}"')
            exists = conn.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", [scratch]
            ).fetchone()
            if not exists:
                conn.execute(f'CREATE DATABASE "{scratch}"')
        base, _, _ = url.rpartition("/")
        os.environ["DATABASE_URL"] = f"{base}/{scratch}"
        return f"postgresql scratch database {scratch!r} on {config.get('HOST') or 'localhost'}"
    directory = Path(
        os.environ.get("LRS_BENCH_DIR", Path(tempfile.gettempdir()) / "seoullearn-lrsbench")
    )
    if fresh and directory.exists():
        for child in directory.iterdir():
            if child.is_file():
                child.unlink()
    directory.mkdir(parents=True, exist_ok=True)
    os.environ.pop("DATABASE_URL", None)
    os.environ["SEOULLEARN_DATA_DIR"] = str(directory)
    return f"sqlite scratch file {directory / 'seoullearn.sqlite3'}"


def _ingest_worker(
    headers: dict[str, str], batch_size: int, seconds: float, seed: int
) -> tuple[int, float, list[float]]:
    """One client process posting batches through the full Django request path."""
    from django.db import connection
    from django.test import Client

    connection.close()
    corpus = Corpus(1000, seed=seed)
    http = Client()
    for _ in range(3):  # warm up: connection, credential cache, first-request costs
        http.post(
            "/xapi/statements",
            data=json.dumps([corpus.statement()]),
            content_type="application/json",
            headers=headers,
        )
    count = 0
    latencies: list[float] = []
    started = time.perf_counter()
    while time.perf_counter() - started < seconds:
        body = json.dumps([corpus.statement() for _ in range(batch_size)])
        t0 = time.perf_counter()
        response = http.post(
            "/xapi/statements", data=body, content_type="application/json", headers=headers
        )
        latencies.append(time.perf_counter() - t0)
        if response.status_code != 200:
            raise SystemExit(f"ingestion failed: {response.status_code} {response.content[:300]!r}")
        count += batch_size
    return count, time.perf_counter() - started, latencies


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="a run under 30 seconds")
    parser.add_argument(
        "--statements", type=int, default=None, help="statements stored before queries"
    )
    parser.add_argument("--fresh", action="store_true", help="drop the scratch database first")
    parser.add_argument(
        "--seconds", type=float, default=None, help="time per ingestion measurement"
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=2,
        help="also measure with this many client processes (as many server workers)",
    )
    args = parser.parse_args()
    target = args.statements or (20_000 if args.quick else 1_000_000)
    seconds = args.seconds or (2.0 if args.quick else 15.0)
    queries_per_kind = 60 if args.quick else 300

    database = prepare_database(args.fresh)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["SEOULLEARN_ENV"] = "development"
    os.environ.setdefault("DEBUG", "0")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    settings.LRS_OUTBOX_KICK = False  # no task queue in the benchmark
    settings.ALLOWED_HOSTS = ["*"]
    print(f"database: {database}", flush=True)
    call_command("migrate", verbosity=0, interactive=False)

    from seoullearn.lrs import services
    from seoullearn.lrs.models import LRSClient, Statement

    durable = "unknown"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW synchronous_commit")
            durable = f"synchronous_commit={cursor.fetchone()[0]}"
        else:
            level = getattr(settings, "LRS_SQLITE_SYNCHRONOUS", "FULL")
            durable = f"journal_mode=WAL, synchronous={level} for Statement writes"

    client_row = LRSClient.objects.filter(name="bench").first()
    if client_row is None:
        client_row, _ = services.lrs_client_create(name="bench", scopes=["all"])
    secret = LRSClient.generate_secret()
    client_row.secret_hash = LRSClient.hash_secret(secret)
    client_row.save(update_fields=["secret_hash"])
    credential = services.Credential(client=client_row, scopes=frozenset(client_row.scopes))

    corpus = Corpus(target)
    stored = Statement.objects.count()
    fill_rate = None
    if stored < target:
        print(f"filling: {stored} -> {target} statements", flush=True)
        started = time.perf_counter()
        added = 0
        while stored + added < target:
            batch = [corpus.statement() for _ in range(min(1000, target - stored - added))]
            services.statements_store(statements=batch, credential=credential, version="2.0")
            added += len(batch)
            if added % 100_000 < 1000:
                print(
                    f"  {stored + added} stored ({added / (time.perf_counter() - started):.0f}/s)",
                    flush=True,
                )
        fill_rate = added / (time.perf_counter() - started)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE lrs_statement")
                cursor.execute("VACUUM ANALYZE lrs_statementrelation")
    else:
        # keep the corpus's random state in step with a run that filled
        for _ in range(min(target, 200_000)):
            corpus.statement()
    total = Statement.objects.count()
    print(f"stored statements: {total}", flush=True)

    http = Client()
    auth = "Basic " + base64.b64encode(f"{client_row.key}:{secret}".encode()).decode()
    headers = {"Authorization": auth, "X-Experience-API-Version": "2.0.0"}

    ingest: dict[str, Any] = {}
    for workers in sorted({1, args.workers}):
        for batch_size in (1, 10, 100):
            connection.close()
            with multiprocessing.get_context("fork").Pool(workers) as pool:
                results = pool.starmap(
                    _ingest_worker,
                    [
                        (headers, batch_size, seconds, 1000 + n + 10 * batch_size + 100 * workers)
                        for n in range(workers)
                    ],
                )
            count = sum(r[0] for r in results)
            elapsed = max(r[1] for r in results)
            latencies = [latency for r in results for latency in r[2]]
            name = f"batch_{batch_size}" + ("" if workers == 1 else f"_workers_{workers}")
            ingest[name] = {
                "statements_per_s": round(count / elapsed),
                "requests": len(latencies),
                "p50_request_ms": round(statistics.median(latencies) * 1000, 2),
                "p95_request_ms": round(percentile(latencies, 0.95) * 1000, 2),
            }
            print(f"ingest {name}: {ingest[name]}", flush=True)

    rng = random.Random(7)
    since_row = Statement.objects.order_by("pk").values_list("stored", flat=True)[
        max(0, total // 2 - 1) : total // 2
    ]
    since = since_row[0].isoformat() if since_row else "2020-01-01T00:00:00Z"
    registrations = list(corpus.registrations.values())
    kinds = {
        "agent": lambda: {
            "agent": json.dumps({"account": {"homePage": SITE, "name": rng.choice(corpus.agents)}})
        },
        "agent_verb_since": lambda: {
            "agent": json.dumps({"account": {"homePage": SITE, "name": rng.choice(corpus.agents)}}),
            "verb": rng.choice(VERBS)[0],
            "since": since,
        },
        "activity": lambda: {
            "activity": f"{rng.choice(corpus.courses)}/lessons/{rng.randrange(10)}"
        },
        "registration": lambda: {"registration": rng.choice(registrations)},
    }
    queries: dict[str, Any] = {}
    for name, make in kinds.items():
        timings = []
        matched = []
        for index in range(queries_per_kind + 10):
            params = make()
            params["limit"] = "100"
            t0 = time.perf_counter()
            response = http.get("/xapi/statements", data=params, headers=headers)
            elapsed = time.perf_counter() - t0
            if response.status_code != 200:
                raise SystemExit(f"query failed: {response.status_code} {response.content[:300]!r}")
            if index >= 10:  # warm-up
                timings.append(elapsed * 1000)
                matched.append(len(json.loads(response.content)["statements"]))
        queries[name] = {
            "p50_ms": round(statistics.median(timings), 2),
            "p95_ms": round(percentile(timings, 0.95), 2),
            "mean_results": round(statistics.mean(matched), 1),
        }
        print(f"query {name}: {queries[name]}", flush=True)

    summary = {
        "database": database,
        "vendor": connection.vendor,
        "durability": durable,
        "statements_stored": total,
        "fill_statements_per_s": round(fill_rate) if fill_rate else None,
        "ingest": ingest,
        "statements_per_s": max(
            ingest["batch_100"]["statements_per_s"],
            ingest.get(f"batch_100_workers_{args.workers}", {}).get("statements_per_s", 0),
        ),
        "ingest_workers": args.workers,
        "queries": queries,
        "p95_query_ms": max(q["p95_ms"] for q in queries.values()),
        "query_limit": 100,
        "cpu_count": os.cpu_count(),
    }
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
