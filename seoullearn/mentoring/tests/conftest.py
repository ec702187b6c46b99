from __future__ import annotations

import contextlib
from typing import Any

import pytest

from seoullearn.accounts.tests.factories import OperatorFactory


@pytest.fixture
def operator(db: Any) -> Any:
    from allauth.mfa.models import Authenticator

    user = OperatorFactory()
    Authenticator.objects.create(
        user=user, type=Authenticator.Type.TOTP, data={"secret": "JBSWY3DPEHPK3PXP"}
    )
    return user


@pytest.fixture
def term(db: Any) -> Any:
    from seoullearn.mentoring.tests.factories import TermFactory

    return TermFactory()


@pytest.fixture(autouse=True)
def _seoul(request: Any) -> None:
    """Transactional tests flush the data migration's jurisdiction; put it back."""
    if "django_db_setup" not in request.fixturenames and not request.node.get_closest_marker(
        "django_db"
    ):
        return
    request.getfixturevalue("django_db_blocker")
    from seoullearn.programmes.models import Jurisdiction

    with contextlib.suppress(Exception):
        Jurisdiction.objects.get_or_create(
            slug="seoul", defaults={"name_ko": "서울특별시", "name_en": "Seoul"}
        )
