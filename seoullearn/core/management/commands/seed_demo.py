from __future__ import annotations

import datetime as dt
import importlib
import logging
import time
from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from seoullearn.core.demo import DemoContext
from seoullearn.core.timeutil import today


class Command(BaseCommand):
    help = (
        "Fill an empty database with a plausible Seoul Learn programme (deterministic). Prints "
        "each app's seconds; -v 2 also the parts an app times with DemoContext.step."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--size", choices=["small", "full"], default="small")
        parser.add_argument("--seed", type=int, default=2022)
        parser.add_argument(
            "--today", type=dt.date.fromisoformat, default=None, help="pretend date (YYYY-MM-DD)"
        )
        parser.add_argument(
            "--if-empty", action="store_true", help="do nothing when demo data already exists"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from django.contrib.auth import get_user_model

        if get_user_model().objects.filter(username="operator").exists():
            if options["if_empty"]:
                self.stdout.write("demo data already present")
                self._print_logins_hint()
                return
            raise CommandError("the database already holds demo data; use a fresh database")
        ctx = DemoContext(
            size=options["size"], seed=options["seed"], today=options["today"] or today()
        )
        started = time.monotonic()
        # Services log every state change at INFO; thousands of demo rows would bury the
        # summary and the demo logins printed at the end.
        logging.getLogger("seoullearn").setLevel(logging.WARNING)
        for config in apps.get_app_configs():
            if not config.name.startswith("seoullearn."):
                continue
            try:
                module = importlib.import_module(f"{config.name}.demo")
            except ModuleNotFoundError as exc:
                if exc.name == f"{config.name}.demo":
                    continue
                raise
            seed = getattr(module, "seed", None)
            if seed is None:
                continue
            step = time.monotonic()
            with transaction.atomic():
                seed(ctx)
            self.stdout.write(f"  {config.label}: {time.monotonic() - step:.1f}s")
            if options["verbosity"] >= 2:
                for name, seconds in ctx.steps:
                    self.stdout.write(f"    {config.label}.{name}: {seconds:.1f}s")
            ctx.steps.clear()
        self.stdout.write(
            f"demo data ({ctx.size}, seed {ctx.seed}) in {time.monotonic() - started:.1f}s"
        )
        self.stdout.write(
            "demo logins (password for all: %s):" % (ctx.logins[0].password if ctx.logins else "-")
        )
        for login in ctx.logins:
            note = f"  ({login.note})" if login.note else ""
            self.stdout.write(f"  {login.role:<24} {login.username}{note}")

    def _print_logins_hint(self) -> None:
        self.stdout.write("see README.md for the demo logins")
