from __future__ import annotations

import datetime as dt
from typing import Any

import factory
from factory.django import DjangoModelFactory

from seoullearn.accounts.models import LearnerProfile, User
from seoullearn.core.roles import Role

TEST_PASSWORD = "correct-horse-battery-9"


class UserFactory(DjangoModelFactory[User]):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")
    full_name = factory.Sequence(lambda n: f"사용자{n}")
    role = Role.LEARNER
    birth_date = dt.date(2009, 5, 1)

    @factory.post_generation
    def password(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        self.set_password(extracted or TEST_PASSWORD)
        if create:
            self.save(update_fields=["password"])


class LearnerFactory(UserFactory):
    role = Role.LEARNER


class GuardianFactory(UserFactory):
    role = Role.GUARDIAN
    birth_date = dt.date(1980, 3, 3)


class OperatorFactory(UserFactory):
    role = Role.OPERATOR
    birth_date = dt.date(1985, 1, 1)


class AuditorFactory(UserFactory):
    role = Role.AUDITOR
    birth_date = dt.date(1975, 1, 1)


class MentorFactory(UserFactory):
    role = Role.MENTOR
    birth_date = dt.date(2003, 9, 1)


class LearnerProfileFactory(DjangoModelFactory[LearnerProfile]):
    class Meta:
        model = LearnerProfile

    user = factory.SubFactory(LearnerFactory)
    school_level = "middle"
    grade = 2
    district_code = "11350"


def ensure_current_notices() -> None:
    """Put back the version-1 notices of the data migration when a transactional test (which
    flushes every table afterwards) removed them. Idempotent."""
    import importlib

    from django.apps import apps

    from seoullearn.accounts.models import ConsentNotice

    if ConsentNotice.objects.exists():
        return
    migration = importlib.import_module("seoullearn.accounts.migrations.0003_consent_notices_v1")
    migration.add_notices(apps, None)
