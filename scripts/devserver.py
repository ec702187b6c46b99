#!/usr/bin/env python
"""Run the platform locally: web server, task worker, scheduler and the sandbox provider.

Started by ``make run``. Ctrl-C stops all of them. Each process's output is prefixed with its
name. Production runs these as separate services (see README.md, "Deployment").
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable


def processes(port: int) -> dict[str, list[str]]:
    procs = {
        "web": [PY, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        "worker": [PY, "manage.py", "db_worker", "--queue-name", "*", "--interval", "0.5"],
        "scheduler": [PY, "manage.py", "run_scheduler"],
    }
    if (ROOT / "sandbox_provider" / "server.py").exists():
        procs["sandbox-provider"] = [PY, "-m", "sandbox_provider.server", "--port", "8100"]
    return procs


def pump(name: str, stream: object) -> None:
    for line in iter(stream.readline, ""):  # type: ignore[attr-defined]
        sys.stdout.write(f"{name:>16} | {line}")
        sys.stdout.flush()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=8000)
    args = parser.parse_args()
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    # The sandbox provider and the SSO tokens must name the address the platform really serves.
    env.setdefault("SITE_URL", f"http://127.0.0.1:{args.port}")
    running: dict[str, subprocess.Popen[str]] = {}
    for name, cmd in processes(args.port).items():
        proc = subprocess.Popen(  # noqa: S603 - fixed commands
            cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        running[name] = proc
        threading.Thread(target=pump, args=(name, proc.stdout), daemon=True).start()
    print(
        f"\n  Seoul Learn is running at http://127.0.0.1:{args.port}/  (Ctrl-C stops)\n", flush=True
    )

    def stop(*_: object) -> None:
        for proc in running.values():
            if proc.poll() is None:
                proc.terminate()
        deadline = time.monotonic() + 10
        for proc in running.values():
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                proc.kill()
        sys.exit(0)

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    while True:
        for name, proc in running.items():
            if proc.poll() is not None:
                print(f"{name} exited with {proc.returncode}; stopping", flush=True)
                stop()
        time.sleep(1)


if __name__ == "__main__":
    raise SystemExit(main())
