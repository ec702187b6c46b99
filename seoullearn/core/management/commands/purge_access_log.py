from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from seoullearn.core.services import access_log_purge


class Command(BaseCommand):
    help = "Delete access-log entries older than the retention period (2 years by default)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, default=settings.ACCESS_LOG_RETENTION_DAYS)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["days"] < 365:
            self.stderr.write("refusing to keep less than one year of access log")
            raise SystemExit(2)
        count = access_log_purge(older_than_days=options["days"])
        self.stdout.write(f"purged {count} entr{'y' if count == 1 else 'ies'}")
