"""The Statement validator against the data rules of xAPI 1.0.3 (Data part) and 2.0.

Each test names the requirement it comes from. Property tests (hypothesis) check that valid
Statements built from the grammar are accepted and that breaking one property is rejected with
a message naming that property.
"""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import string
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from seoullearn.lrs import xapi
from seoullearn.lrs.xapi import V1, V2, XAPIError, validate_statement


def base() -> dict[str, Any]:
    return {
        "actor": {"mbox": "mailto:learner@example.org"},
        "verb": {
            "id": "http://adlnet.gov/expapi/verbs/attempted",
            "display": {"en-US": "attempted"},
        },
        "object": {"id": "http://example.org/activity"},
    }


def rejects(statement: dict[str, Any], path: str, version: str = V2) -> None:
    with pytest.raises(XAPIError) as info:
        validate_statement(statement, version)
    assert info.value.path.startswith(path), info.value


# --- Data 2.2 formatting requirements ---------------------------------------------------------


def test_actor_verb_object_are_required() -> None:  # 2.2.s2.b3
    for key in ("actor", "verb", "object"):
        statement = base()
        del statement[key]
        rejects(statement, f"statement.{key}")


def test_null_values_are_rejected_except_inside_extensions() -> None:  # 2.2.s4.b1.b1
    statement = base()
    statement["result"] = {"success": None}
    rejects(statement, "statement.result.success")
    statement = base()
    statement["result"] = {"extensions": {"http://example.org/ext": None}}
    validate_statement(statement)


def test_strings_where_numbers_or_booleans_are_required_are_rejected() -> None:  # b2, b3
    statement = base()
    statement["result"] = {"score": {"scaled": "0.5"}}
    rejects(statement, "statement.result.score.scaled")
    statement = base()
    statement["result"] = {"completion": "true"}
    rejects(statement, "statement.result.completion")
    statement = base()
    statement["result"] = {"score": {"raw": True}}
    rejects(statement, "statement.result.score.raw")


def test_key_case_must_match_and_unknown_properties_are_rejected() -> None:  # b5, b7, 2.2.s4.b8
    statement = base()
    statement["Actor"] = statement.pop("actor")
    rejects(statement, "statement.Actor")
    statement = base()
    statement["verb"]["Display"] = {"en-US": "x"}
    rejects(statement, "statement.verb.Display")
    statement = base()
    statement["object"]["definition"] = {"colour": "red"}
    rejects(statement, "statement.object.definition.colour")


def test_enumerated_values_must_match_exactly() -> None:  # b6
    statement = base()
    statement["object"]["objectType"] = "activity"
    rejects(statement, "statement.object.objectType")
    statement = base()
    statement["object"]["definition"] = {"interactionType": "Choice"}
    rejects(statement, "statement.object.definition.interactionType")


def test_iris_need_a_scheme_and_uuids_standard_form() -> None:  # b4, b8
    statement = base()
    statement["verb"]["id"] = "attempted"
    rejects(statement, "statement.verb.id")
    statement = base()
    statement["verb"]["id"] = ""
    rejects(statement, "statement.verb.id")
    statement = base()
    statement["id"] = "not-a-uuid"
    rejects(statement, "statement.id")
    statement = base()
    statement["context"] = {"registration": "12345678123456781234567812345678"}
    rejects(statement, "statement.context.registration")


def test_language_map_keys_must_be_rfc5646_tags() -> None:  # 2.2.s4.b2
    statement = base()
    statement["verb"]["display"] = {"english_US": "attempted"}
    rejects(statement, "statement.verb.display.english_US")
    for tag in ("en", "en-US", "ko-KR", "zh-Hant-TW", "sr-Latn-RS", "es-419", "x-private", "und"):
        statement = base()
        statement["verb"]["display"] = {tag: "x"}
        validate_statement(statement)


# --- Actor (Data 2.4.2) -------------------------------------------------------------------------


def test_agent_needs_exactly_one_ifi() -> None:  # 2.4.2.1.s2.b1, b2
    statement = base()
    statement["actor"] = {"name": "no id"}
    rejects(statement, "statement.actor")
    statement = base()
    statement["actor"] = {"mbox": "mailto:a@example.org", "openid": "http://openid.example.org/a"}
    rejects(statement, "statement.actor")


def test_ifi_formats() -> None:  # 2.4.2.3
    statement = base()
    statement["actor"] = {"mbox": "a@example.org"}
    rejects(statement, "statement.actor.mbox")
    statement = base()
    statement["actor"] = {"mbox_sha1sum": "xyz"}
    rejects(statement, "statement.actor.mbox_sha1sum")
    statement = base()
    statement["actor"] = {"account": {"homePage": "http://example.org"}}
    rejects(statement, "statement.actor.account.name")
    statement = base()
    statement["actor"] = {"account": {"homePage": "example.org", "name": "1"}}
    rejects(statement, "statement.actor.account.homePage")
    statement = base()
    statement["actor"] = {"account": {"homePage": "http://example.org", "name": "1"}}
    validate_statement(statement)


def test_groups() -> None:  # 2.4.2.2
    statement = base()
    statement["actor"] = {"objectType": "Group"}
    rejects(statement, "statement.actor.member")  # anonymous group needs members
    statement = base()
    statement["actor"] = {
        "objectType": "Group",
        "member": [{"objectType": "Group", "mbox": "mailto:g@example.org"}],
    }
    rejects(statement, "statement.actor.member[0]")  # no groups in groups
    statement = base()
    statement["actor"] = {"objectType": "Group", "mbox": "mailto:team@example.org"}
    validate_statement(statement)  # identified group without members


def test_agent_as_object_needs_object_type() -> None:  # 2.4.4.2.s1.b1
    statement = base()
    statement["object"] = {"mbox": "mailto:other@example.org"}
    rejects(statement, "statement.object")  # read as an Activity without id
    statement["object"] = {"objectType": "Agent", "mbox": "mailto:other@example.org"}
    validate_statement(statement)


# --- Verb, Object ------------------------------------------------------------------------------


def test_voiding_statement_must_reference_a_statement() -> None:  # 2.3.2.s2.b1
    statement = base()
    statement["verb"]["id"] = xapi.VOIDED_VERB
    rejects(statement, "statement.object")
    statement["object"] = {
        "objectType": "StatementRef",
        "id": "e05aa883-acaf-40ad-bf54-02c8ce485fb0",
    }
    validate_statement(statement)


def test_substatement_rules() -> None:  # 2.4.4.3.s8
    sub = base()
    sub["objectType"] = "SubStatement"
    statement = base()
    statement["object"] = copy.deepcopy(sub)
    validate_statement(statement)
    for forbidden in ("id", "stored", "version", "authority"):
        statement = base()
        statement["object"] = dict(copy.deepcopy(sub), **{forbidden: "x"})
        rejects(statement, f"statement.object.{forbidden}")
    nested = base()
    nested["object"] = dict(copy.deepcopy(sub), object=copy.deepcopy(sub))
    rejects(nested, "statement.object.object.objectType")


def test_interaction_activities() -> None:  # 2.4.4.1.s13, s16
    statement = base()
    statement["object"]["definition"] = {
        "interactionType": "choice",
        "correctResponsesPattern": ["a[,]b"],
        "choices": [{"id": "a", "description": {"en-US": "A"}}, {"id": "b"}],
    }
    validate_statement(statement)
    statement["object"]["definition"]["choices"].append({"id": "a"})
    rejects(statement, "statement.object.definition.choices[2].id")  # ids distinct
    statement = base()
    statement["object"]["definition"] = {"interactionType": "true-false", "choices": []}
    rejects(statement, "statement.object.definition.choices")  # list not supported
    statement = base()
    statement["object"]["definition"] = {"correctResponsesPattern": ["true"]}
    rejects(statement, "statement.object.definition.interactionType")


# --- Result, Score, Context ----------------------------------------------------------------------


def test_score_ranges() -> None:  # 2.4.5.1
    for score, path in (
        ({"scaled": 1.5}, "scaled"),
        ({"min": 5, "max": 5}, "min"),
        ({"raw": 11, "min": 0, "max": 10}, "raw"),
        ({"raw": -1, "min": 0}, "raw"),
    ):
        statement = base()
        statement["result"] = {"score": score}
        rejects(statement, f"statement.result.score.{path}")


def test_durations() -> None:  # Data 4.6
    for good in ("PT4H35M59.14S", "P3Y1M29DT4H35M59.14S", "P3Y", "P4W", "PT0S", "PT1.5S"):
        statement = base()
        statement["result"] = {"duration": good}
        validate_statement(statement)
    for bad in ("P4W1D", "PT", "P", "4H", "PT4H35M59.14", "P1H", "1 hour"):
        statement = base()
        statement["result"] = {"duration": bad}
        rejects(statement, "statement.result.duration")


def test_context_activities_are_returned_as_arrays() -> None:  # 2.4.6.2.s4.b3
    statement = base()
    statement["context"] = {"contextActivities": {"parent": {"id": "http://example.org/course"}}}
    validate_statement(statement)
    assert statement["context"]["contextActivities"]["parent"] == [
        {"id": "http://example.org/course"}
    ]
    statement["context"]["contextActivities"]["sibling"] = []
    rejects(statement, "statement.context.contextActivities.sibling")


def test_revision_and_platform_only_with_activity_object() -> None:  # 2.4.6.s4.b1, b2
    statement = base()
    statement["object"] = {"objectType": "Agent", "mbox": "mailto:x@example.org"}
    statement["context"] = {"platform": "web"}
    rejects(statement, "statement.context.platform")


def test_context_agents_and_groups_exist_only_in_2_0() -> None:
    statement = base()
    statement["context"] = {
        "contextAgents": [
            {
                "objectType": "contextAgent",
                "agent": {"mbox": "mailto:mentor@example.org"},
                "relevantTypes": ["https://example.org/types/mentor"],
            }
        ],
        "contextGroups": [
            {
                "objectType": "contextGroup",
                "group": {"objectType": "Group", "mbox": "mailto:g@example.org"},
            }
        ],
    }
    validate_statement(copy.deepcopy(statement), V2)
    rejects(copy.deepcopy(statement), "statement.context.contextAgents", V1)
    broken = copy.deepcopy(statement)
    broken["context"]["contextAgents"][0]["relevantTypes"] = []
    rejects(broken, "statement.context.contextAgents[0].relevantTypes")
    broken = copy.deepcopy(statement)
    broken["context"]["contextAgents"][0]["objectType"] = "Agent"
    rejects(broken, "statement.context.contextAgents[0].objectType")


# --- Timestamps, version, attachments ----------------------------------------------------------


def test_timestamps_are_normalised_to_utc() -> None:  # Data 4.5, 2.0 RFC 3339
    statement = base()
    statement["timestamp"] = "2024-03-01T09:00:00.123456+09:00"
    validate_statement(statement)
    assert statement["timestamp"] == "2024-03-01T00:00:00.123456Z"
    statement = base()
    statement["timestamp"] = "2008-09-15 15:53:00.601+00:00"
    validate_statement(statement)
    assert statement["timestamp"] == "2008-09-15T15:53:00.601Z"


@pytest.mark.parametrize(
    "value",
    [
        "01/011/2015",
        "should fail",
        "2008-09-15T15:53:00.601-00",
        "2008-09-15T15:53:00.601-0000",
        "2008-09-15T15:53:00.601-00:00",
        "2024-02-30T00:00:00Z",
    ],
)
def test_invalid_timestamps_are_rejected(value: str) -> None:
    statement = base()
    statement["timestamp"] = value
    rejects(statement, "statement.timestamp")


def test_version_property() -> None:  # 2.4.10.s3
    statement = base()
    statement["version"] = "1.0.9"
    validate_statement(copy.deepcopy(statement), V1)
    statement["version"] = "2.0.0"
    rejects(copy.deepcopy(statement), "statement.version", V1)
    validate_statement(copy.deepcopy(statement), V2)
    statement["version"] = "1.1.0"
    rejects(statement, "statement.version", V2)


def test_attachments_need_their_properties() -> None:  # 2.4.11
    attachment = {
        "usageType": "http://example.org/usage",
        "display": {"en-US": "certificate"},
        "contentType": "application/pdf",
        "length": 10,
        "sha2": "a" * 64,
    }
    statement = base()
    statement["attachments"] = [attachment]
    validate_statement(statement)
    for key in ("usageType", "display", "contentType", "length", "sha2"):
        statement = base()
        statement["attachments"] = [{k: v for k, v in attachment.items() if k != key}]
        rejects(statement, f"statement.attachments[0].{key}")
    statement = base()
    statement["attachments"] = [dict(attachment, length=-1)]
    rejects(statement, "statement.attachments[0].length")


# --- comparison (Data 2.3.1) --------------------------------------------------------------------


def test_equivalence_ignores_the_listed_exceptions() -> None:
    first = base()
    first["object"]["definition"] = {"name": {"en-US": "one"}}
    first["actor"] = {
        "objectType": "Group",
        "member": [{"mbox": "mailto:a@x.org"}, {"mbox": "mailto:b@X.ORG"}],
    }
    second = copy.deepcopy(first)
    second["object"]["definition"] = {"name": {"en-US": "changed"}}
    second["verb"]["display"] = {"ko-KR": "시도함"}
    second["actor"]["member"].reverse()
    second["actor"]["member"][0]["mbox"] = "mailto:b@x.org"
    second["authority"] = {"mbox": "mailto:lrs@example.org"}
    assert xapi.statements_equivalent(first, second)
    third = copy.deepcopy(first)
    third["result"] = {"duration": "PT1M"}
    assert not xapi.statements_equivalent(first, third)


def test_timestamp_comparison_is_by_instant() -> None:
    first = dict(base(), timestamp="2024-01-01T09:00:00+09:00")
    second = dict(base(), timestamp="2024-01-01T00:00:00.000Z")
    assert xapi.statements_equivalent(first, second)


# --- properties -------------------------------------------------------------------------------

_iri = st.builds(
    lambda host, path: f"https://{host}.example.org/{path}",
    st.text(string.ascii_lowercase, min_size=1, max_size=10),
    st.text(string.ascii_letters + string.digits + "-_/", max_size=20),
)
_lang = st.sampled_from(["en", "en-US", "ko", "ko-KR", "zh-Hant", "es-419"])
_language_map = st.dictionaries(_lang, st.text(max_size=20), min_size=1, max_size=3)
_agent = st.one_of(
    st.builds(
        lambda u: {"mbox": f"mailto:{u}@example.org"},
        st.text(string.ascii_lowercase, min_size=1, max_size=8),
    ),
    st.builds(lambda h: {"mbox_sha1sum": h}, st.text("0123456789abcdef", min_size=40, max_size=40)),
    st.builds(lambda i: {"openid": i}, _iri),
    st.builds(
        lambda h, n: {"account": {"homePage": h, "name": n}}, _iri, st.text(min_size=1, max_size=12)
    ),
)
_activity = st.builds(
    lambda i, name, kind: {
        "objectType": "Activity",
        "id": i,
        "definition": {"name": name, "type": kind},
    },
    _iri,
    _language_map,
    _iri,
)
_score = st.builds(
    lambda scaled, raw: {"scaled": scaled, "raw": raw, "min": 0, "max": 100},
    st.floats(-1, 1, allow_nan=False),
    st.integers(0, 100),
)
_duration = st.builds(
    lambda h, m, s: f"PT{h}H{m}M{s}S", st.integers(0, 99), st.integers(0, 59), st.integers(0, 59)
)
_timestamp = st.datetimes(
    min_value=dt.datetime(1990, 1, 1), max_value=dt.datetime(2090, 1, 1), timezones=st.just(dt.UTC)
).map(lambda moment: moment.isoformat())


@st.composite
def statements(draw: Any) -> dict[str, Any]:
    statement: dict[str, Any] = {
        "actor": draw(_agent),
        "verb": {"id": draw(_iri), "display": draw(_language_map)},
        "object": draw(_activity),
    }
    if draw(st.booleans()):
        statement["id"] = str(draw(st.uuids()))
    if draw(st.booleans()):
        statement["result"] = {
            "score": draw(_score),
            "success": draw(st.booleans()),
            "completion": draw(st.booleans()),
            "duration": draw(_duration),
            "extensions": {draw(_iri): draw(st.one_of(st.none(), st.integers(), st.text()))},
        }
    if draw(st.booleans()):
        statement["context"] = {
            "registration": str(draw(st.uuids())),
            "contextActivities": {"parent": draw(st.lists(_activity, min_size=1, max_size=2))},
            "language": draw(_lang),
        }
    if draw(st.booleans()):
        statement["timestamp"] = draw(_timestamp)
    return statement


@settings(max_examples=150, deadline=None)
@given(statements())
def test_property_valid_statements_are_accepted_and_keep_their_meaning(
    statement: dict[str, Any],
) -> None:
    original = copy.deepcopy(statement)
    validate_statement(statement, V2)
    validate_statement(copy.deepcopy(original), V1)
    assert xapi.statements_equivalent(original, statement)


_BREAKERS = [
    (
        "actor",
        lambda s: (
            s["actor"].update(mbox="nomail")
            if "mbox" in s["actor"]
            else s.update(actor={"name": 1})
        ),
    ),
    ("verb.id", lambda s: s["verb"].update(id="no scheme")),
    ("verb.display", lambda s: s["verb"].update(display={"not a tag!": "x"})),
    ("object.id", lambda s: s["object"].update(id=42)),
    ("object.definition.type", lambda s: s["object"]["definition"].update(type="")),
    ("unexpected", lambda s: s.update(unexpected=True)),
    ("timestamp", lambda s: s.update(timestamp="yesterday")),
]


@settings(max_examples=150, deadline=None)
@given(statements(), st.sampled_from(_BREAKERS))
def test_property_one_broken_property_is_rejected_by_name(
    statement: dict[str, Any], breaker: Any
) -> None:
    path, breaks = breaker
    breaks(statement)
    with pytest.raises(XAPIError) as info:
        validate_statement(statement, V2)
    assert info.value.path.startswith(f"statement.{path.split('.')[0]}")


@settings(max_examples=100, deadline=None)
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(),
        lambda inner: st.lists(inner) | st.dictionaries(st.text(), inner),
        max_leaves=20,
    )
)
def test_property_arbitrary_json_never_crashes_the_validator(value: Any) -> None:
    with contextlib.suppress(XAPIError):
        validate_statement(value, V2)


@settings(max_examples=200, deadline=None)
@given(
    st.datetimes(
        min_value=dt.datetime(1000, 1, 2),
        max_value=dt.datetime(9998, 12, 30),
        timezones=st.sampled_from(
            [
                dt.UTC,
                dt.timezone(dt.timedelta(hours=9)),
                dt.timezone(dt.timedelta(hours=-5, minutes=-30)),
            ]
        ),
    )
)
def test_property_timestamps_roundtrip_to_the_same_instant(moment: dt.datetime) -> None:
    text = moment.isoformat()
    assert xapi.parse_timestamp(text) == moment
    assert xapi.parse_timestamp(xapi.format_timestamp(moment)) == moment
