"""State, Activity Profile and Agent Profile resources, Activities, Agents and About resources
(Communication 2.2–2.8 in 1.0.3; 4.1.6.2–4.1.6.7 in 2.0) and concurrency (3.1)."""

from __future__ import annotations

import hashlib
import json
import uuid
from typing import Any

import pytest

from seoullearn.lrs.tests.conftest import XAPI

pytestmark = pytest.mark.django_db

AGENT = json.dumps({"objectType": "Agent", "mbox": "mailto:learner@example.org"})
ACTIVITY = "http://example.org/activities/lesson-1"


@pytest.fixture(params=["1.0.3", "2.0.0"])
def api(request: Any, make_xapi: Any) -> XAPI:
    return make_xapi(version=request.param)  # type: ignore[no-any-return]


def q(**params: str) -> str:
    from urllib.parse import urlencode

    return urlencode(params)


def state_params(**extra: str) -> dict[str, str]:
    return {"activityId": ACTIVITY, "agent": AGENT, "stateId": "bookmark", **extra}


def test_state_put_get_delete(api: XAPI) -> None:
    params = state_params()
    response = api.put(
        "activities/state", b"page-12", content_type="text/plain", params=q(**params)
    )
    assert response.status_code == 204
    got = api.get("activities/state", params)
    assert got.status_code == 200 and got.content == b"page-12"
    assert got["Content-Type"].startswith("text/plain")
    assert got["ETag"] == f'"{hashlib.sha1(b"page-12").hexdigest()}"'
    assert got["Last-Modified"]
    assert api.delete("activities/state", q(**params)).status_code == 204
    assert api.get("activities/state", params).status_code == 404


def test_state_post_merges_json_objects(api: XAPI) -> None:
    params = q(**state_params(stateId="vars"))
    assert api.post("activities/state", {"x": "foo", "y": "bar"}, params=params).status_code == 204
    assert api.post("activities/state", {"x": "bash", "z": "faz"}, params=params).status_code == 204
    got = api.get("activities/state", state_params(stateId="vars")).json()
    assert got == {"x": "bash", "y": "bar", "z": "faz"}
    # merging into a non-JSON document is 400 and changes nothing
    text = q(**state_params(stateId="text"))
    api.put("activities/state", b"plain", content_type="text/plain", params=text)
    assert api.post("activities/state", {"a": 1}, params=text).status_code == 400
    assert api.post("activities/state", b"[1, 2]", params=params).status_code == 400


def test_state_registration_scopes_documents(api: XAPI) -> None:
    registration = str(uuid.uuid4())
    with_registration = state_params(registration=registration)
    api.put("activities/state", b"r", content_type="text/plain", params=q(**with_registration))
    assert api.get("activities/state", state_params()).status_code == 404
    assert api.get("activities/state", with_registration).content == b"r"
    bad = state_params(registration="not-a-uuid")
    assert api.get("activities/state", bad).status_code == 400


def test_state_ids_since_and_delete_all(api: XAPI) -> None:
    base = {"activityId": ACTIVITY, "agent": AGENT}
    for state_id in ("a", "b"):
        api.put(
            "activities/state", b"1", content_type="text/plain", params=q(**base, stateId=state_id)
        )
    listed = api.get("activities/state", base)
    assert listed.json() == ["a", "b"]
    assert listed["ETag"] and listed["Last-Modified"]
    assert api.get("activities/state", {**base, "since": "2999-01-01T00:00:00Z"}).json() == []
    assert api.delete("activities/state", q(**base)).status_code == 204
    assert api.get("activities/state", base).json() == []


def test_state_parameters_are_checked(api: XAPI) -> None:
    assert api.get("activities/state", {"agent": AGENT, "stateId": "x"}).status_code == 400
    assert api.get("activities/state", {"activityId": ACTIVITY, "stateId": "x"}).status_code == 400
    assert api.get("activities/state", state_params(agent="not json")).status_code == 400
    group = json.dumps({"objectType": "Group", "mbox": "mailto:g@example.org"})
    assert api.get("activities/state", state_params(agent=group)).status_code == 400
    assert api.get("activities/state", state_params(activityId="no scheme")).status_code == 400


def test_state_put_on_existing_document_without_precondition(api: XAPI) -> None:
    params = q(**state_params(stateId="existing"))
    api.put("activities/state", b"one", content_type="text/plain", params=params)
    response = api.put("activities/state", b"two", content_type="text/plain", params=params)
    if api.version.startswith("1."):
        assert response.status_code == 204  # 1.0.3 Communication 3.1.s3: State is exempt
    else:
        assert response.status_code == 409


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("activities/profile", {"activityId": ACTIVITY, "profileId": "p1"}),
        ("agents/profile", {"agent": AGENT, "profileId": "p1"}),
    ],
)
def test_profile_concurrency(api: XAPI, path: str, params: dict[str, str]) -> None:
    query = q(**params)
    # create with If-None-Match: *
    created = api.put(path, {"v": 1}, params=query, headers={"If-None-Match": "*"})
    assert created.status_code == 204
    again = api.put(path, {"v": 2}, params=query, headers={"If-None-Match": "*"})
    assert again.status_code == 412
    # PUT on an existing document without either header: 409 with an explanation
    conflict = api.put(path, {"v": 3}, params=query)
    assert conflict.status_code == 409
    assert "If-Match" in conflict.json()["message"]
    current = api.get(path, params)
    etag = current["ETag"]
    assert etag.startswith('"') and etag.endswith('"')
    assert api.put(path, {"v": 4}, params=query, headers={"If-Match": '"wrong"'}).status_code == 412
    assert api.put(path, {"v": 4}, params=query, headers={"If-Match": etag}).status_code == 204
    assert api.get(path, params).json() == {"v": 4}
    assert api.post(path, {"w": 1}, params=query, headers={"If-Match": etag}).status_code == 412
    assert api.delete(path, query, headers={"If-Match": '"stale"'}).status_code == 412
    latest = api.get(path, params)["ETag"]
    assert api.delete(path, query, headers={"If-Match": latest}).status_code == 204
    assert api.get(path, params).status_code == 404


def test_profile_ids_list(api: XAPI) -> None:
    for profile_id in ("b", "a"):
        api.put(
            "activities/profile",
            b"x",
            content_type="text/plain",
            params=q(activityId=ACTIVITY, profileId=profile_id),
            headers={"If-None-Match": "*"},
        )
    assert api.get("activities/profile", {"activityId": ACTIVITY}).json() == ["a", "b"]
    assert api.delete("activities/profile", q(activityId=ACTIVITY)).status_code == 400


def test_activities_resource_returns_canonical_definition(api: XAPI) -> None:
    unknown = api.get("activities", {"activityId": "http://example.org/unknown"})
    assert unknown.json() == {"objectType": "Activity", "id": "http://example.org/unknown"}
    statement: dict[str, Any] = {
        "actor": {"mbox": "mailto:a@example.org"},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/experienced"},
        "object": {"id": ACTIVITY, "definition": {"name": {"en-US": "Lesson 1"}}},
    }
    api.post("statements", statement)
    statement["object"]["definition"] = {"description": {"ko-KR": "설명"}}
    api.post("statements", statement)
    known = api.get("activities", {"activityId": ACTIVITY}).json()
    assert known["definition"] == {"name": {"en-US": "Lesson 1"}, "description": {"ko-KR": "설명"}}
    assert api.get("activities", {}).status_code == 400


def test_agents_resource_returns_a_person(api: XAPI) -> None:
    person = api.get(
        "agents", {"agent": json.dumps({"name": "Ann", "mbox": "mailto:ann@example.org"})}
    )
    assert person.json() == {
        "objectType": "Person",
        "name": ["Ann"],
        "mbox": ["mailto:ann@example.org"],
    }
    assert api.get("agents", {"agent": "{}"}).status_code == 400


def test_about_is_public_and_lists_versions(api: XAPI) -> None:
    response = api.client.get("/xapi/about")
    assert response.status_code == 200
    body = response.json()
    assert "1.0.3" in body["version"] and "2.0.0" in body["version"]
    assert set(body) <= {"version", "extensions"}
    assert api.client.head("/xapi/about").content == b""


def test_methods_not_supported_are_405(api: XAPI) -> None:
    assert api.delete("statements").status_code == 405
    assert api.post("about", {}).status_code == 405


def test_a_provider_cannot_read_or_change_another_providers_documents(make_xapi: Any) -> None:
    first = make_xapi(scopes=("state", "profile"))
    second = make_xapi(scopes=("state", "profile"))
    params = state_params(stateId="private")
    assert (
        first.put(
            "activities/state", b"mine", content_type="text/plain", params=q(**params)
        ).status_code
        == 204
    )
    assert second.get("activities/state", params).status_code == 404
    assert second.get("activities/state", {"activityId": ACTIVITY, "agent": AGENT}).json() == []
    overwrite = second.put(
        "activities/state", b"theirs", content_type="text/plain", params=q(**params)
    )
    assert overwrite.status_code == 403
    assert second.delete("activities/state", q(activityId=ACTIVITY, agent=AGENT)).status_code == 204
    assert first.get("activities/state", params).content == b"mine"
    reader = make_xapi(scopes=("all/read",))
    assert reader.get("activities/state", params).content == b"mine"
