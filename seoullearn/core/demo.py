"""Demo-data framework used by ``manage.py seed_demo``.

Each app may ship a ``demo.py`` with ``def seed(ctx: DemoContext) -> None``. The command calls
them in ``INSTALLED_APPS`` order (which is dependency order), sharing one context: a seeded
random generator, the size, a dict for objects later apps need, and the list of demo logins to
print. The same ``--seed`` gives the same data.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

DEMO_PASSWORD = "seoullearn-demo-2026"  # printed by `make run`; demo databases only


@dataclass
class DemoLogin:
    role: str
    username: str
    password: str
    note: str = ""


@dataclass
class DemoContext:
    size: str  # "small" or "full"
    seed: int
    today: dt.date
    rng: random.Random = field(init=False)
    shared: dict[str, Any] = field(default_factory=dict)
    logins: list[DemoLogin] = field(default_factory=list)
    steps: list[tuple[str, float]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)

    @property
    def full(self) -> bool:
        return self.size == "full"

    def scale(self, small: int, full: int) -> int:
        return full if self.full else small

    def login(self, role: str, username: str, note: str = "") -> None:
        self.logins.append(DemoLogin(role, username, DEMO_PASSWORD, note))

    @contextmanager
    def step(self, name: str) -> Iterator[None]:
        """Time a part of an app's demo; ``seed_demo -v 2`` prints each part's seconds under
        the app's."""
        started = time.monotonic()
        try:
            yield
        finally:
            self.steps.append((name, time.monotonic() - started))
