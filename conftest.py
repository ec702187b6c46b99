"""Project-wide test fixtures."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.conf import LazySettings


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests marked ``postgres`` (row locking races, JSONB paths) run only on PostgreSQL."""
    from django.conf import settings

    if settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL (set DATABASE_URL)")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    """Rate limits and lockouts live in the cache; with Redis (CI on PostgreSQL) the cache
    outlives a test, so one test's failed logins would throttle the next."""
    from django.conf import settings
    from django.core.cache import cache

    # The database cache lives in the test database, which each test rolls back or flushes.
    shared = not settings.CACHES["default"]["BACKEND"].endswith("DatabaseCache")
    if shared:
        cache.clear()
    yield
    if shared:
        cache.clear()


@pytest.fixture(autouse=True)
def _private_storage(settings: LazySettings, tmp_path: Path) -> Iterator[None]:
    """Uploaded files go to a per-test folder, never into the developer's ./var."""
    from django.core.files.storage import default_storage
    from django.utils.functional import empty

    location = tmp_path / "private"
    location.mkdir()
    settings.MEDIA_ROOT = location
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(location), "base_url": None},
        },
    }
    default_storage._wrapped = empty  # type: ignore[attr-defined]  # re-read the setting
    yield
    default_storage._wrapped = empty  # type: ignore[attr-defined]


@pytest.fixture
def run_tasks(monkeypatch: pytest.MonkeyPatch) -> Callable[[], None]:
    """Run every queued background task with the real database worker (`db_worker --batch`).

    The worker closes "old" connections between tasks, as after a request. Inside a test's
    transaction that would close the test's own connection, so connections in an atomic block
    are left open (Django's test client does the same for requests).
    """
    from django.core.management import call_command
    from django.db import connections

    def close_old_connections_outside_transactions(**kwargs: object) -> None:
        for conn in connections.all(initialized_only=True):
            if not conn.in_atomic_block:
                conn.close_if_unusable_or_obsolete()

    monkeypatch.setattr(
        "django_tasks_db.management.commands.db_worker.close_old_connections",
        close_old_connections_outside_transactions,
    )

    def _run() -> None:
        call_command("db_worker", "--batch", "--queue-name", "*", "--no-startup-delay", verbosity=0)

    return _run


@pytest.fixture(autouse=True)
def _data_migration_rows(request: pytest.FixtureRequest) -> None:
    """Transactional tests flush every table when they end, including rows that data migrations
    added; put back those the platform cannot work without (the consent notices)."""
    marker = request.node.get_closest_marker("django_db")
    transactional = "live_server" in request.fixturenames or (
        marker is not None and marker.kwargs.get("transaction", False)
    )
    if not transactional:
        return
    request.getfixturevalue("transactional_db")
    from seoullearn.accounts.tests.factories import ensure_current_notices

    ensure_current_notices()
