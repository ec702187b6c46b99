"""Run the real sandbox provider process for tests (a free port, its own SQLite file)."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[3]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class SandboxProcess:
    def __init__(self, tmp: Path, *, platform_url: str = "", port: int | None = None) -> None:
        self.port = port or free_port()
        self.db = tmp / "sandbox.sqlite3"
        self.platform_url = platform_url
        self.proc: subprocess.Popen[bytes] | None = None
        self.log = tmp / "sandbox.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> SandboxProcess:
        args = [
            sys.executable,
            "-m",
            "sandbox_provider.server",
            "--port",
            str(self.port),
            "--db",
            str(self.db),
            "--platform-url",
            self.platform_url or "http://127.0.0.1:9",
        ]
        if not self.platform_url:
            args.append("--no-push")
        self.proc = subprocess.Popen(
            args, cwd=ROOT, stdout=self.log.open("ab"), stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=1) as r:
                    if r.status == 200:
                        return self
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("sandbox provider did not start: " + self.log.read_text()[-2000:])

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)
        self.proc = None

    def control(self, **settings: Any) -> dict[str, Any]:
        request = urllib.request.Request(
            self.url + "/_control",
            data=json.dumps(settings).encode(),
            method="POST",
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=5) as r:
            return dict(json.loads(r.read()))

    def state(self) -> dict[str, Any]:
        with urllib.request.urlopen(self.url + "/_control", timeout=5) as r:
            return dict(json.loads(r.read()))
