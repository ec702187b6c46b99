"""Schemathesis against the workspace's and programmes' API: no input makes a server error."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
import schemathesis
from django.test import Client
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from config.wsgi import application
from seoullearn.learning.tests.factories import learner_with_profile

schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application)


@pytest.mark.django_db(transaction=True)
@schema.include(path_regex="^/api/(learning|activities)/").parametrize()
@hypothesis_settings(max_examples=3, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_server_error_for_a_learner(case: Any) -> None:
    learner = learner_with_profile(username="fuzz" + uuid.uuid4().hex[:8])
    client = Client()
    client.force_login(learner)
    response = case.call(headers={"Cookie": f"sessionid={client.cookies['sessionid'].value}"})
    assert response.status_code < 500, (case.method, case.path, response.text[:300])
