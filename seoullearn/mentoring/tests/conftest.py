from __future__ import annotations

from typing import Any

import pytest

from seoullearn.accounts.tests.factories import OperatorFactory


@pytest.fixture
def operator(db: Any) -> Any:
    from allauth.mfa.models import Authenticator

    user = OperatorFactory()
    Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={"secret": "JBSWY3DPEHPK3PXP"})
    return user


@pytest.fixture
def term(db: Any) -> Any:
    from seoullearn.mentoring.tests.factories import TermFactory

    return TermFactory()
