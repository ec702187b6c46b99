"""A third-party xAPI client from PyPI (Rustici's ``tincan``, xAPI 1.0.x) against the LRS
served over real HTTP."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from seoullearn.lrs import services

tincan = pytest.importorskip("tincan")


@pytest.mark.django_db(transaction=True)
def test_tincan_remote_lrs_round_trip(live_server: Any, settings: Any) -> None:
    settings.LRS_OUTBOX_KICK = False
    client, secret = services.lrs_client_create(name="tincan", scopes=["all"])
    lrs = tincan.RemoteLRS(
        endpoint=live_server.url + "/xapi/", version="1.0.3", username=client.key, password=secret
    )

    # tincan 1.0.0 knows only 1.0.x: its About parser refuses the "2.0.0" the LRS also
    # lists, so the About resource is checked in test_document_resources instead.

    actor = tincan.Agent(name="Learner", mbox="mailto:tincan-learner@example.org")
    verb = tincan.Verb(
        id="http://adlnet.gov/expapi/verbs/completed",
        display=tincan.LanguageMap({"en-US": "completed"}),
    )
    activity = tincan.Activity(
        id="http://example.org/tincan/course",
        definition=tincan.ActivityDefinition(name=tincan.LanguageMap({"en-US": "Course"})),
    )
    statement = tincan.Statement(
        actor=actor,
        verb=verb,
        object=activity,
        result=tincan.Result(completion=True, duration="PT5M"),
    )
    saved = lrs.save_statement(statement)
    assert saved.success, saved.data
    statement_id = saved.content.id

    batch = lrs.save_statements(
        [
            tincan.Statement(id=str(uuid.uuid4()), actor=actor, verb=verb, object=activity)
            for _ in range(3)
        ]
    )
    assert batch.success, batch.data

    fetched = lrs.retrieve_statement(statement_id)
    assert fetched.success
    assert str(fetched.content.id) == str(statement_id)
    assert fetched.content.result.completion is True

    query = lrs.query_statements({"agent": actor, "verb": verb, "limit": 2})
    assert query.success
    assert len(query.content.statements) == 2
    assert query.content.more
    more = lrs.more_statements(query.content)
    assert more.success and len(more.content.statements) == 2

    state = tincan.StateDocument(
        activity=activity, agent=actor, id="bookmark", content=bytearray("page 3", "utf-8")
    )
    assert lrs.save_state(state).success
    loaded = lrs.retrieve_state(activity=activity, agent=actor, state_id="bookmark")
    assert loaded.success and loaded.content.content == bytearray(b"page 3")
    assert lrs.delete_state(loaded.content).success

    profile = tincan.ActivityProfileDocument(
        activity=activity,
        id="settings",
        content=bytearray('{"level": 2}', "utf-8"),
        content_type="application/json",
    )
    assert lrs.save_activity_profile(profile).success
    ids = lrs.retrieve_activity_profile_ids(activity)
    assert ids.success and ids.content == ["settings"]
