from __future__ import annotations

import datetime as dt

import pytest

from seoullearn.accounts.tests.factories import LearnerFactory, OperatorFactory
from seoullearn.core.models import AccessLog
from seoullearn.core.services import access_log_purge, access_log_record


@pytest.mark.django_db
def test_access_log_is_append_only() -> None:
    entry = access_log_record(
        actor=OperatorFactory(), subject=LearnerFactory(), action="view", purpose="review"
    )
    entry.purpose = "changed"
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        AccessLog.objects.all().delete()
    with pytest.raises(PermissionError):
        AccessLog.objects.update(purpose="x")


@pytest.mark.django_db
def test_purge_keeps_two_years() -> None:
    operator, learner = OperatorFactory(), LearnerFactory()
    old = access_log_record(actor=operator, subject=learner, action="view", purpose="old")
    recent = access_log_record(actor=operator, subject=learner, action="view", purpose="recent")
    # back-date one entry past the retention period with raw SQL (the model forbids updates)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE core_accesslog SET occurred_at = %s WHERE id = %s",
            [dt.datetime(2020, 1, 1, tzinfo=dt.UTC), old.pk],
        )
    assert access_log_purge() == 1
    assert list(AccessLog.objects.values_list("pk", flat=True)) == [recent.pk]
