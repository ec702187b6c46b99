from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from seoullearn.accounts.tests.factories import LearnerFactory, OperatorFactory
from seoullearn.eligibility.tests.factories import birth_date_for_age, current_programme_obj

TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def with_totp(user: Any) -> Any:
    """Enrol TOTP so that the staff MFA requirement lets the operator in."""
    from allauth.mfa.totp.internal.auth import TOTP

    TOTP.activate(user, TOTP_SECRET)
    return user


@pytest.fixture
def programme(db: Any) -> Any:
    return current_programme_obj()


@pytest.fixture
def learner(db: Any) -> Any:
    return LearnerFactory(birth_date=birth_date_for_age(15))


@pytest.fixture
def other_learner(db: Any) -> Any:
    return LearnerFactory(birth_date=birth_date_for_age(16))


@pytest.fixture
def operator(db: Any) -> Any:
    return with_totp(OperatorFactory())


@pytest.fixture
def other_operator(db: Any) -> Any:
    return with_totp(OperatorFactory())


@pytest.fixture
def learner_client(learner: Any) -> Client:
    client = Client()
    client.force_login(learner)
    return client


@pytest.fixture
def operator_client(operator: Any) -> Client:
    client = Client()
    client.force_login(operator)
    return client
