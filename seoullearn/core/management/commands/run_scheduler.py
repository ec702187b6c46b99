from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from seoullearn.core.scheduler import jobs, run_due_jobs


class Command(BaseCommand):
    help = "Enqueue periodic jobs when their time slot comes (safe to run on several nodes)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="check once and exit")
        parser.add_argument("--interval", type=float, default=30.0, help="seconds between checks")

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write("scheduler: " + ", ".join(job.name for job in jobs()))
        while True:
            for name in run_due_jobs():
                self.stdout.write(f"enqueued {name}")
            if options["once"]:
                return
            time.sleep(options["interval"])
