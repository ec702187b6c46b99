"""Fixtures for the LRS tests: credentials and a small xAPI client over Django's test client."""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from seoullearn.lrs import services


class XAPI:
    """Calls /xapi/ resources with a credential and a version header."""

    def __init__(self, key: str, secret: str, version: str = "2.0.0") -> None:
        self.client = Client()
        self.version = version
        self.auth = "Basic " + base64.b64encode(f"{key}:{secret}".encode()).decode()

    def headers(
        self, extra: dict[str, str] | None = None, version: str | None = None
    ) -> dict[str, str]:
        headers = {"Authorization": self.auth}
        chosen = self.version if version is None else version
        if chosen:
            headers["X-Experience-API-Version"] = chosen
        headers.update(extra or {})
        return headers

    def post(
        self,
        path: str,
        data: Any,
        *,
        content_type: str = "application/json",
        params: str = "",
        **kw: Any,
    ) -> Any:
        body = data if isinstance(data, bytes | str) else json.dumps(data)
        return self.client.post(
            f"/xapi/{path}{'?' + params if params else ''}",
            data=body,
            content_type=content_type,
            headers=self.headers(kw.pop("headers", None), kw.pop("version", None)),
        )

    def put(
        self,
        path: str,
        data: Any,
        *,
        content_type: str = "application/json",
        params: str = "",
        **kw: Any,
    ) -> Any:
        body = data if isinstance(data, bytes | str) else json.dumps(data)
        return self.client.put(
            f"/xapi/{path}{'?' + params if params else ''}",
            data=body,
            content_type=content_type,
            headers=self.headers(kw.pop("headers", None), kw.pop("version", None)),
        )

    def get(self, path: str, params: dict[str, Any] | None = None, **kw: Any) -> Any:
        return self.client.get(
            f"/xapi/{path}",
            data=params or {},
            headers=self.headers(kw.pop("headers", None), kw.pop("version", None)),
        )

    def head(self, path: str, params: dict[str, Any] | None = None, **kw: Any) -> Any:
        return self.client.head(
            f"/xapi/{path}",
            data=params or {},
            headers=self.headers(kw.pop("headers", None), kw.pop("version", None)),
        )

    def delete(self, path: str, params: str = "", **kw: Any) -> Any:
        return self.client.delete(
            f"/xapi/{path}{'?' + params if params else ''}",
            headers=self.headers(kw.pop("headers", None), kw.pop("version", None)),
        )


def make_statement(**overrides: Any) -> dict[str, Any]:
    statement: dict[str, Any] = {
        "actor": {"objectType": "Agent", "mbox": "mailto:learner@example.org", "name": "Learner"},
        "verb": {
            "id": "http://adlnet.gov/expapi/verbs/experienced",
            "display": {"en-US": "experienced"},
        },
        "object": {
            "objectType": "Activity",
            "id": "http://example.org/activities/lesson-1",
            "definition": {"name": {"en-US": "Lesson 1", "ko-KR": "1강"}},
        },
    }
    statement.update(overrides)
    return statement


@pytest.fixture
def make_xapi(db: Any) -> Callable[..., XAPI]:
    def make(
        scopes: tuple[str, ...] = ("all",), version: str = "2.0.0", name: str | None = None
    ) -> XAPI:
        client, secret = services.lrs_client_create(
            name=name or f"client-{uuid.uuid4().hex[:6]}", scopes=scopes
        )
        api = XAPI(client.key, secret, version)
        api.model = client  # type: ignore[attr-defined]
        return api

    return make


@pytest.fixture
def xapi(make_xapi: Callable[..., XAPI]) -> XAPI:
    return make_xapi()


@pytest.fixture
def xapi1(make_xapi: Callable[..., XAPI]) -> XAPI:
    return make_xapi(version="1.0.3")
