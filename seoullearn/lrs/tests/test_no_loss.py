"""No loss: a real server process is killed (SIGKILL) while batches are in flight.

Every acknowledged Statement must be stored exactly once, and no batch that was not
acknowledged may be half stored. The client then resends what was not acknowledged (as an
xAPI client does after a failure) and everything ends up stored exactly once.
"""

from __future__ import annotations

import base64
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import pytest
from django.conf import settings
from django.db import connection

from seoullearn.lrs import services
from seoullearn.lrs.models import Statement
from seoullearn.lrs.tests.conftest import make_statement

ROOT = Path(__file__).resolve().parents[3]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "postgresql":
        user = db.get("USER") or "postgres"
        password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
        host = f"{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}"
        return f"postgres://{user}{password}@{host}/{db['NAME']}"
    return f"sqlite:///{db['NAME']}"


class Server:
    def __init__(self) -> None:
        self.port = _free_port()
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        env = dict(os.environ)
        env.update(
            DATABASE_URL=_database_url(),
            SEOULLEARN_DATA_DIR=str(settings.DATA_DIR),
            SEOULLEARN_ENV="test",
            DEBUG="0",
            LOG_LEVEL="WARNING",
        )
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "config.wsgi:application",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                "2",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
            start_new_session=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if (
                    httpx.get(f"http://127.0.0.1:{self.port}/xapi/about", timeout=1).status_code
                    == 200
                ):
                    return
            except httpx.HTTPError:
                time.sleep(0.2)
        raise RuntimeError("the server did not start")

    def kill(self) -> None:
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)


@pytest.mark.django_db(transaction=True)
def test_killed_server_loses_no_acknowledged_statement_and_half_stores_no_batch() -> None:
    client, secret = services.lrs_client_create(name="no-loss", scopes=["all"])
    auth = "Basic " + base64.b64encode(f"{client.key}:{secret}".encode()).decode()
    server = Server()
    batches: list[list[dict[str, Any]]] = [
        [make_statement(id=str(uuid.uuid4())) for _ in range(50)] for _ in range(400)
    ]
    acknowledged: set[int] = set()
    stop = threading.Event()
    lock = threading.Lock()
    next_batch = iter(range(len(batches)))

    def sender() -> None:
        with httpx.Client(timeout=10) as http:
            for index in next_batch:
                if stop.is_set():
                    return
                try:
                    response = http.post(
                        f"http://127.0.0.1:{server.port}/xapi/statements",
                        content=json.dumps(batches[index]),
                        headers={
                            "Authorization": auth,
                            "X-Experience-API-Version": "2.0.0",
                            "Content-Type": "application/json",
                        },
                    )
                except httpx.HTTPError:
                    continue
                if response.status_code == 200:
                    assert response.json() == [s["id"] for s in batches[index]]
                    with lock:
                        acknowledged.add(index)

    kills = 0
    try:
        for _ in range(3):
            server.start()
            threads = [threading.Thread(target=sender) for _ in range(3)]
            for thread in threads:
                thread.start()
            time.sleep(1.5)
            server.kill()  # mid-batch: requests are in flight on three connections
            kills += 1
            for thread in threads:
                thread.join(timeout=20)
        stored = Counter(str(v) for v in Statement.objects.values_list("statement_id", flat=True))
        assert acknowledged, "no batch was acknowledged before the kills"
        assert len(acknowledged) < len(batches), "the kills came too late to interrupt anything"
        for index, batch in enumerate(batches):
            counts = [stored.get(s["id"], 0) for s in batch]
            assert max(counts) <= 1, "a Statement is stored twice"
            if index in acknowledged:
                assert min(counts) == 1, f"acknowledged batch {index} is not fully stored"
            else:
                assert len(set(counts)) == 1, f"unacknowledged batch {index} is half stored"

        # The client resends every batch it has no acknowledgement for; all end up once.
        server.start()
        stop.clear()
        with httpx.Client(timeout=30) as http:
            for index, batch in enumerate(batches):
                if index in acknowledged:
                    continue
                response = http.post(
                    f"http://127.0.0.1:{server.port}/xapi/statements",
                    content=json.dumps(batch),
                    headers={
                        "Authorization": auth,
                        "X-Experience-API-Version": "2.0.0",
                        "Content-Type": "application/json",
                    },
                )
                assert response.status_code == 200, response.text
        server.kill()
        stored = Counter(str(v) for v in Statement.objects.values_list("statement_id", flat=True))
        assert all(stored.get(s["id"]) == 1 for batch in batches for s in batch)
        assert kills == 3
    finally:
        stop.set()
        if server.process is not None and server.process.poll() is None:
            server.kill()
