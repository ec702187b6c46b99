from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from seoullearn.core.tasks import sweep_stuck_tasks_now


class Command(BaseCommand):
    help = "Requeue tasks whose worker died while running them."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--stuck-after", type=int, default=None, help="seconds")

    def handle(self, *args: Any, **options: Any) -> None:
        count = sweep_stuck_tasks_now(stuck_after_seconds=options["stuck_after"])
        self.stdout.write(f"requeued {count} task(s)")
