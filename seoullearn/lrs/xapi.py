"""xAPI data rules (1.0.3 and 2.0 / IEEE 9274.1.1), without Django.

``validate_statement`` checks a Statement exactly as the specification's data part describes it
(every property, its type and format; unknown properties rejected; ``null`` only inside
extensions) and normalises it in place the way the LRS stores it: ``contextActivities`` values
become arrays, timestamps become UTC. Errors name the offending property path, e.g.
``statement.context.contextActivities.parent[0].id: not an IRI``.

The functions here are on the ingestion hot path: they avoid per-call allocation where they
can and use precompiled patterns.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import re
import uuid
from collections.abc import Mapping
from typing import Any

V1 = "1.0"
V2 = "2.0"
LATEST = {V1: "1.0.3", V2: "2.0.0"}
VOIDED_VERB = "http://adlnet.gov/expapi/verbs/voided"
SIGNATURE_USAGE = "http://adlnet.gov/expapi/attachments/signature"


class XAPIError(ValueError):
    """A request or Statement that the specification says the LRS must reject (400)."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}" if path else message)
        self.path = path
        self.message = message


# --- primitive formats --------------------------------------------------------------------

_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
# Best-effort IRI check allowed by Data 2.2.s4.b6: a scheme, then no whitespace or controls.
_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:[^\s\x00-\x1f\x7f<>\"{}|\\^`]+$")
_MAILTO = re.compile(r"^mailto:[^@\s:/]+@[^@\s/]+\.[^@\s/]+$|^mailto:[^@\s:/]+@[^@\s/.]+$")
_SHA1 = re.compile(r"^[0-9a-fA-F]{40}$")
_SHA2 = re.compile(r"^(?:[0-9a-fA-F]{56}|[0-9a-fA-F]{64}|[0-9a-fA-F]{96}|[0-9a-fA-F]{128})$")
_VERSION = re.compile(r"^(\d+)\.(\d+)(?:\.(\d+))?$")
_MEDIA_TYPE = re.compile(r"^[A-Za-z0-9!#$&^_.+\-]+/[A-Za-z0-9!#$&^_.+\-]+(\s*;.*)?$")
# RFC 5646: language[-extlang][-script][-region](-variant)*(-extension)*[-privateuse],
# private use alone, and the grandfathered irregular tags (Data 2.2.s4.b2 asks for at least the
# sequence of token lengths).
_LANG = re.compile(
    r"^(?:"
    r"(?:[A-Za-z]{2,3}(?:-[A-Za-z]{3}){0,3}|[A-Za-z]{4}|[A-Za-z]{5,8})"
    r"(?:-[A-Za-z]{4})?"
    r"(?:-(?:[A-Za-z]{2}|\d{3}))?"
    r"(?:-(?:[A-Za-z0-9]{5,8}|\d[A-Za-z0-9]{3}))*"
    r"(?:-[0-9A-WY-Za-wy-z](?:-[A-Za-z0-9]{2,8})+)*"
    r"(?:-[xX](?:-[A-Za-z0-9]{1,8})+)?"
    r"|[xX](?:-[A-Za-z0-9]{1,8})+"
    r"|en-GB-oed|i-ami|i-bnn|i-default|i-enochian|i-hak|i-klingon|i-lux|i-mingo|i-navajo"
    r"|i-pwn|i-tao|i-tay|i-tsu|sgn-BE-FR|sgn-BE-NL|sgn-CH-DE"
    r")$"
)
_NUM = r"\d+(?:[.,]\d+)?"
_DURATION = re.compile(
    rf"^P(?!$)(?:{_NUM}Y)?(?:{_NUM}M)?(?:{_NUM}D)?(?:T(?=\d)(?:{_NUM}H)?(?:{_NUM}M)?(?:{_NUM}S)?)?$"
    rf"|^P{_NUM}W$"
)
_TIMESTAMP = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:[.,](\d+))?"
    r"(Z|z|[+\-]\d{2}(?::?\d{2})?)?$"
)
_TIMESTAMP_BASIC = re.compile(
    r"^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(?:[.,](\d+))?(Z|[+\-]\d{2}(?:\d{2})?)?$"
)

INTERACTION_TYPES = frozenset(
    {
        "true-false",
        "choice",
        "fill-in",
        "long-fill-in",
        "matching",
        "performance",
        "sequencing",
        "likert",
        "numeric",
        "other",
    }
)
COMPONENT_LISTS: dict[str, frozenset[str]] = {
    "choice": frozenset({"choices"}),
    "sequencing": frozenset({"choices"}),
    "likert": frozenset({"scale"}),
    "matching": frozenset({"source", "target"}),
    "performance": frozenset({"steps"}),
}
_ALL_COMPONENT_LISTS = frozenset({"choices", "scale", "source", "target", "steps"})
CONTEXT_ACTIVITY_KEYS = ("parent", "grouping", "category", "other")

_STATEMENT_KEYS = frozenset(
    {
        "id",
        "actor",
        "verb",
        "object",
        "result",
        "context",
        "timestamp",
        "stored",
        "authority",
        "version",
        "attachments",
    }
)
_SUBSTATEMENT_KEYS = frozenset(
    {"objectType", "actor", "verb", "object", "result", "context", "timestamp", "attachments"}
)
_AGENT_KEYS = frozenset({"objectType", "name", "mbox", "mbox_sha1sum", "openid", "account"})
_GROUP_KEYS = _AGENT_KEYS | {"member"}
_IFI_KEYS = ("mbox", "mbox_sha1sum", "openid", "account")
_ACCOUNT_KEYS = frozenset({"homePage", "name"})
_VERB_KEYS = frozenset({"id", "display"})
_ACTIVITY_KEYS = frozenset({"objectType", "id", "definition"})
_DEFINITION_KEYS = frozenset(
    {
        "name",
        "description",
        "type",
        "moreInfo",
        "extensions",
        "interactionType",
        "correctResponsesPattern",
        "choices",
        "scale",
        "source",
        "target",
        "steps",
    }
)
_COMPONENT_KEYS = frozenset({"id", "description"})
_RESULT_KEYS = frozenset({"score", "success", "completion", "response", "duration", "extensions"})
_SCORE_KEYS = frozenset({"scaled", "raw", "min", "max"})
_CONTEXT_KEYS_V1 = frozenset(
    {
        "registration",
        "instructor",
        "team",
        "contextActivities",
        "revision",
        "platform",
        "language",
        "statement",
        "extensions",
    }
)
_CONTEXT_KEYS_V2 = _CONTEXT_KEYS_V1 | {"contextAgents", "contextGroups"}
_CONTEXT_AGENT_KEYS = frozenset({"objectType", "agent", "relevantTypes"})
_CONTEXT_GROUP_KEYS = frozenset({"objectType", "group", "relevantTypes"})
_STATEMENT_REF_KEYS = frozenset({"objectType", "id"})
_ATTACHMENT_KEYS = frozenset(
    {"usageType", "display", "description", "contentType", "length", "sha2", "fileUrl"}
)


def _fail(path: str, message: str) -> None:
    raise XAPIError(path, message)


def _unknown(obj: Mapping[str, Any], allowed: frozenset[str], path: str) -> None:
    for key in obj:
        if key not in allowed:
            _fail(f"{path}.{key}", "is not a property allowed here")
        if obj[key] is None:
            _fail(f"{path}.{key}", "must not be null")


def _dict(value: Any, path: str) -> dict[str, Any]:
    if type(value) is not dict:
        _fail(path, "must be a JSON object")
    if not value:
        # Data 2.2.s2.b1 says SHOULD NOT; an empty object is still structurally valid.
        pass
    return value  # type: ignore[no-any-return]


def _str(value: Any, path: str) -> str:
    if type(value) is not str:
        _fail(path, "must be a string")
    return value  # type: ignore[no-any-return]


def is_iri(value: Any) -> bool:
    return type(value) is str and _IRI.match(value) is not None


def _iri(value: Any, path: str) -> str:
    if type(value) is not str or _IRI.match(value) is None:
        _fail(path, "must be an IRI with a scheme")
    return value  # type: ignore[no-any-return]


def is_uuid(value: Any) -> bool:
    return type(value) is str and _UUID.match(value) is not None


def _uuid(value: Any, path: str) -> str:
    if type(value) is not str or _UUID.match(value) is None:
        _fail(path, "must be a UUID in standard string form")
    return value.lower()  # type: ignore[no-any-return,union-attr]


def _number(value: Any, path: str) -> float:
    if type(value) not in (int, float):
        _fail(path, "must be a number")
    if value != value or value in (float("inf"), float("-inf")):
        _fail(path, "must be a finite number")
    return value  # type: ignore[no-any-return]


def _bool(value: Any, path: str) -> bool:
    if type(value) is not bool:
        _fail(path, "must be true or false")
    return value  # type: ignore[no-any-return]


def is_language_tag(value: Any) -> bool:
    return type(value) is str and _LANG.match(value) is not None


def _language_map(value: Any, path: str) -> None:
    if type(value) is not dict:
        _fail(path, "must be a language map (JSON object)")
    for key, text in value.items():
        if _LANG.match(key) is None:
            _fail(f"{path}.{key}", "is not an RFC 5646 language tag")
        if type(text) is not str:
            _fail(f"{path}.{key}", "must be a string")


def _extensions(value: Any, path: str) -> None:
    if type(value) is not dict:
        _fail(path, "must be a JSON object")
    for key in value:
        if _IRI.match(key) is None:
            _fail(f"{path}.{key}", "extension keys must be IRIs")


def is_duration(value: Any) -> bool:
    return type(value) is str and _DURATION.match(value) is not None


def parse_timestamp(value: Any, path: str = "timestamp") -> dt.datetime:
    """Parse an ISO 8601 timestamp (RFC 3339 profile preferred) to an aware UTC datetime.

    A missing offset is read as UTC. The offset ``-00:00`` (RFC 3339's "unknown local offset")
    is rejected, as the conformance requirements ask.
    """
    if type(value) is not str:
        _fail(path, "must be an ISO 8601 timestamp string")
    match = _TIMESTAMP.match(value) or _TIMESTAMP_BASIC.match(value)
    if match is None:
        _fail(path, "is not an ISO 8601 timestamp")
    year, month, day, hour, minute, second, fraction, offset = match.groups()  # type: ignore[union-attr]
    micro = int((fraction or "0")[:6].ljust(6, "0"))
    try:
        if hour == "24" and minute == "00" and second == "00" and micro == 0:
            base = dt.datetime(int(year), int(month), int(day)) + dt.timedelta(days=1)
        else:
            base = dt.datetime(
                int(year), int(month), int(day), int(hour), int(minute), min(int(second), 59)
            )
    except ValueError:
        _fail(path, "is not a valid calendar date and time")
    moment = base.replace(microsecond=micro)
    if offset is None or offset in ("Z", "z"):
        return moment.replace(tzinfo=dt.UTC)
    sign = -1 if offset[0] == "-" else 1
    digits = offset[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:4] or 0)
    if sign < 0 and hours == 0 and minutes == 0:
        _fail(path, "the offset -00:00 is not allowed; use Z or +00:00")
    if hours > 23 or minutes > 59:
        _fail(path, "has an invalid time-zone offset")
    delta = dt.timedelta(hours=hours, minutes=minutes) * sign
    return (moment - delta).replace(tzinfo=dt.UTC)


def format_timestamp(moment: dt.datetime) -> str:
    """RFC 3339 in UTC with millisecond (or finer when given) precision."""
    moment = moment.astimezone(dt.UTC)
    if moment.microsecond % 1000 == 0:
        return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


# --- actors ------------------------------------------------------------------------------


def _account(value: Any, path: str) -> None:
    _dict(value, path)
    _unknown(value, _ACCOUNT_KEYS, path)
    if "homePage" not in value:
        _fail(f"{path}.homePage", "is required")
    if "name" not in value:
        _fail(f"{path}.name", "is required")
    _iri(value["homePage"], f"{path}.homePage")
    _str(value["name"], f"{path}.name")


def _ifis(value: dict[str, Any], path: str) -> int:
    count = 0
    for key in _IFI_KEYS:
        if key not in value:
            continue
        count += 1
        item = value[key]
        if key == "mbox":
            if type(item) is not str or _MAILTO.match(item) is None:
                _fail(f"{path}.mbox", 'must be a mailto IRI ("mailto:name@example.org")')
        elif key == "mbox_sha1sum":
            if type(item) is not str or _SHA1.match(item) is None:
                _fail(f"{path}.mbox_sha1sum", "must be a hex-encoded SHA-1 hash")
        elif key == "openid":
            _iri(item, f"{path}.openid")
        else:
            _account(item, f"{path}.account")
    return count


def validate_agent(value: Any, path: str, *, object_type_required: bool = False) -> None:
    _dict(value, path)
    object_type = value.get("objectType")
    if object_type is None:
        if object_type_required:
            _fail(f"{path}.objectType", "is required here")
    elif object_type != "Agent":
        _fail(f"{path}.objectType", 'must be "Agent"')
    _unknown(value, _AGENT_KEYS, path)
    if "name" in value:
        _str(value["name"], f"{path}.name")
    count = _ifis(value, path)
    if count != 1:
        _fail(path, "an Agent must have exactly one inverse functional identifier")


def validate_group(value: Any, path: str) -> None:
    _dict(value, path)
    if value.get("objectType") != "Group":
        _fail(f"{path}.objectType", 'must be "Group"')
    _unknown(value, _GROUP_KEYS, path)
    if "name" in value:
        _str(value["name"], f"{path}.name")
    count = _ifis(value, path)
    if count > 1:
        _fail(path, "a Group must not have more than one inverse functional identifier")
    if "member" in value:
        members = value["member"]
        if type(members) is not list:
            _fail(f"{path}.member", "must be an array of Agents")
        for index, member in enumerate(members):
            member_path = f"{path}.member[{index}]"
            if type(member) is dict and member.get("objectType") == "Group":
                _fail(member_path, "a Group must not contain Groups")
            validate_agent(member, member_path)
    elif count == 0:
        _fail(f"{path}.member", "an anonymous Group must list its members")


def validate_actor(value: Any, path: str, *, object_type_required: bool = False) -> None:
    if type(value) is dict and value.get("objectType") == "Group":
        validate_group(value, path)
    else:
        validate_agent(value, path, object_type_required=object_type_required)


# --- verb, object ------------------------------------------------------------------------


def _verb(value: Any, path: str) -> None:
    _dict(value, path)
    _unknown(value, _VERB_KEYS, path)
    if "id" not in value:
        _fail(f"{path}.id", "is required")
    _iri(value["id"], f"{path}.id")
    if "display" in value:
        _language_map(value["display"], f"{path}.display")


def _components(value: Any, path: str) -> None:
    if type(value) is not list:
        _fail(path, "must be an array of interaction components")
    seen: set[str] = set()
    for index, component in enumerate(value):
        item_path = f"{path}[{index}]"
        _dict(component, item_path)
        _unknown(component, _COMPONENT_KEYS, item_path)
        if "id" not in component:
            _fail(f"{item_path}.id", "is required")
        component_id = _str(component["id"], f"{item_path}.id")
        if component_id in seen:
            _fail(f"{item_path}.id", "interaction component ids must be distinct")
        seen.add(component_id)
        if "description" in component:
            _language_map(component["description"], f"{item_path}.description")


def _definition(value: Any, path: str) -> None:
    _dict(value, path)
    _unknown(value, _DEFINITION_KEYS, path)
    if "name" in value:
        _language_map(value["name"], f"{path}.name")
    if "description" in value:
        _language_map(value["description"], f"{path}.description")
    if "type" in value:
        _iri(value["type"], f"{path}.type")
    if "moreInfo" in value:
        _iri(value["moreInfo"], f"{path}.moreInfo")
    if "extensions" in value:
        _extensions(value["extensions"], f"{path}.extensions")
    interaction_type = value.get("interactionType")
    lists_present = [key for key in _ALL_COMPONENT_LISTS if key in value]
    if interaction_type is None:
        if "correctResponsesPattern" in value or lists_present:
            _fail(
                f"{path}.interactionType",
                "is required when interaction properties are present",
            )
        return
    if interaction_type not in INTERACTION_TYPES:
        _fail(f"{path}.interactionType", "is not an interaction type of the specification")
    if "correctResponsesPattern" in value:
        patterns = value["correctResponsesPattern"]
        if type(patterns) is not list:
            _fail(f"{path}.correctResponsesPattern", "must be an array of strings")
        for index, pattern in enumerate(patterns):
            _str(pattern, f"{path}.correctResponsesPattern[{index}]")
    allowed = COMPONENT_LISTS.get(interaction_type, frozenset())
    for key in lists_present:
        if key not in allowed:
            _fail(f"{path}.{key}", f"is not supported for interactionType {interaction_type}")
        _components(value[key], f"{path}.{key}")


def validate_activity(value: Any, path: str) -> None:
    _dict(value, path)
    object_type = value.get("objectType", "Activity")
    if object_type != "Activity":
        _fail(f"{path}.objectType", 'must be "Activity"')
    _unknown(value, _ACTIVITY_KEYS, path)
    if "id" not in value:
        _fail(f"{path}.id", "is required")
    _iri(value["id"], f"{path}.id")
    if "definition" in value:
        _definition(value["definition"], f"{path}.definition")


def _statement_ref(value: Any, path: str) -> None:
    _dict(value, path)
    if value.get("objectType") != "StatementRef":
        _fail(f"{path}.objectType", 'must be "StatementRef"')
    _unknown(value, _STATEMENT_REF_KEYS, path)
    if "id" not in value:
        _fail(f"{path}.id", "is required")
    value["id"] = _uuid(value["id"], f"{path}.id")


def _object(value: Any, path: str, version: str, *, sub: bool) -> str:
    _dict(value, path)
    object_type = value.get("objectType", "Activity")
    if object_type == "Activity":
        validate_activity(value, path)
    elif object_type == "Agent":
        validate_agent(value, path, object_type_required=True)
    elif object_type == "Group":
        validate_group(value, path)
    elif object_type == "StatementRef":
        _statement_ref(value, path)
    elif object_type == "SubStatement":
        if sub:
            _fail(f"{path}.objectType", "a SubStatement must not contain a SubStatement")
        _statement(value, path, version, sub=True)
    else:
        _fail(f"{path}.objectType", f"{object_type!r} is not an object type")
    return object_type  # type: ignore[no-any-return]


# --- result, context ---------------------------------------------------------------------


def _score(value: Any, path: str) -> None:
    _dict(value, path)
    _unknown(value, _SCORE_KEYS, path)
    numbers = {key: _number(value[key], f"{path}.{key}") for key in value}
    if "scaled" in numbers and not -1 <= numbers["scaled"] <= 1:
        _fail(f"{path}.scaled", "must be between -1 and 1")
    low, high = numbers.get("min"), numbers.get("max")
    if low is not None and high is not None and not low < high:
        _fail(f"{path}.min", "must be less than max")
    raw = numbers.get("raw")
    if raw is not None:
        if low is not None and raw < low:
            _fail(f"{path}.raw", "must not be less than min")
        if high is not None and raw > high:
            _fail(f"{path}.raw", "must not be greater than max")


def _result(value: Any, path: str) -> None:
    _dict(value, path)
    _unknown(value, _RESULT_KEYS, path)
    if "score" in value:
        _score(value["score"], f"{path}.score")
    if "success" in value:
        _bool(value["success"], f"{path}.success")
    if "completion" in value:
        _bool(value["completion"], f"{path}.completion")
    if "response" in value:
        _str(value["response"], f"{path}.response")
    if "duration" in value:
        duration = value["duration"]
        if type(duration) is not str or _DURATION.match(duration) is None:
            _fail(f"{path}.duration", "must be an ISO 8601 duration such as PT1H30M")
    if "extensions" in value:
        _extensions(value["extensions"], f"{path}.extensions")


def _relevant_types(value: Any, path: str) -> None:
    if type(value) is not list or not value:
        _fail(path, "must be a non-empty array of IRIs")
    for index, item in enumerate(value):
        _iri(item, f"{path}[{index}]")


def _context(value: Any, path: str, version: str, object_type: str) -> None:
    _dict(value, path)
    _unknown(value, _CONTEXT_KEYS_V2 if version == V2 else _CONTEXT_KEYS_V1, path)
    if "registration" in value:
        value["registration"] = _uuid(value["registration"], f"{path}.registration")
    if "instructor" in value:
        validate_actor(value["instructor"], f"{path}.instructor")
    if "team" in value:
        validate_group(value["team"], f"{path}.team")
    if "contextActivities" in value:
        activities = _dict(value["contextActivities"], f"{path}.contextActivities")
        for key, items in activities.items():
            item_path = f"{path}.contextActivities.{key}"
            if key not in CONTEXT_ACTIVITY_KEYS:
                _fail(item_path, "must be parent, grouping, category or other")
            if type(items) is dict:
                items = [items]
                activities[key] = items
            elif type(items) is not list:
                _fail(item_path, "must be an Activity or an array of Activities")
            for index, activity in enumerate(items):
                validate_activity(activity, f"{item_path}[{index}]")
    for key in ("revision", "platform"):
        if key in value:
            _str(value[key], f"{path}.{key}")
            if object_type != "Activity":
                _fail(f"{path}.{key}", "may only be used when the object is an Activity")
    if "language" in value and not is_language_tag(value["language"]):
        _fail(f"{path}.language", "is not an RFC 5646 language tag")
    if "statement" in value:
        _statement_ref(value["statement"], f"{path}.statement")
    if "extensions" in value:
        _extensions(value["extensions"], f"{path}.extensions")
    if "contextAgents" in value:
        items = value["contextAgents"]
        if type(items) is not list:
            _fail(f"{path}.contextAgents", "must be an array")
        for index, item in enumerate(items):
            item_path = f"{path}.contextAgents[{index}]"
            _dict(item, item_path)
            _unknown(item, _CONTEXT_AGENT_KEYS, item_path)
            if item.get("objectType") != "contextAgent":
                _fail(f"{item_path}.objectType", 'must be "contextAgent"')
            if "agent" not in item:
                _fail(f"{item_path}.agent", "is required")
            validate_agent(item["agent"], f"{item_path}.agent")
            if "relevantTypes" in item:
                _relevant_types(item["relevantTypes"], f"{item_path}.relevantTypes")
    if "contextGroups" in value:
        items = value["contextGroups"]
        if type(items) is not list:
            _fail(f"{path}.contextGroups", "must be an array")
        for index, item in enumerate(items):
            item_path = f"{path}.contextGroups[{index}]"
            _dict(item, item_path)
            _unknown(item, _CONTEXT_GROUP_KEYS, item_path)
            if item.get("objectType") != "contextGroup":
                _fail(f"{item_path}.objectType", 'must be "contextGroup"')
            if "group" not in item:
                _fail(f"{item_path}.group", "is required")
            validate_group(item["group"], f"{item_path}.group")
            if "relevantTypes" in item:
                _relevant_types(item["relevantTypes"], f"{item_path}.relevantTypes")


def _attachments(value: Any, path: str) -> None:
    if type(value) is not list:
        _fail(path, "must be an array of Attachments")
    for index, item in enumerate(value):
        item_path = f"{path}[{index}]"
        _dict(item, item_path)
        _unknown(item, _ATTACHMENT_KEYS, item_path)
        for key in ("usageType", "display", "contentType", "length", "sha2"):
            if key not in item:
                _fail(f"{item_path}.{key}", "is required")
        _iri(item["usageType"], f"{item_path}.usageType")
        _language_map(item["display"], f"{item_path}.display")
        if "description" in item:
            _language_map(item["description"], f"{item_path}.description")
        content_type = _str(item["contentType"], f"{item_path}.contentType")
        if _MEDIA_TYPE.match(content_type) is None:
            _fail(f"{item_path}.contentType", "must be an Internet media type")
        length = item["length"]
        if type(length) is not int or length < 0:
            _fail(f"{item_path}.length", "must be a non-negative integer")
        sha2 = item["sha2"]
        if type(sha2) is not str or _SHA2.match(sha2) is None:
            _fail(f"{item_path}.sha2", "must be a hex SHA-2 hash (224, 256, 384 or 512 bits)")
        if "fileUrl" in item:
            _iri(item["fileUrl"], f"{item_path}.fileUrl")


# --- statements --------------------------------------------------------------------------


def statement_version_allowed(value: Any, version: str) -> bool:
    if type(value) is not str:
        return False
    match = _VERSION.match(value)
    if match is None:
        return False
    major, minor = match.group(1), match.group(2)
    if (major, minor) == ("1", "0"):
        return True
    return version == V2 and (major, minor) == ("2", "0")


def _statement(value: Any, path: str, version: str, *, sub: bool) -> None:
    _dict(value, path)
    _unknown(value, _SUBSTATEMENT_KEYS if sub else _STATEMENT_KEYS, path)
    for key in ("actor", "verb", "object"):
        if key not in value:
            _fail(f"{path}.{key}", "is required")
    if not sub and "id" in value:
        value["id"] = _uuid(value["id"], f"{path}.id")
    validate_actor(value["actor"], f"{path}.actor")
    _verb(value["verb"], f"{path}.verb")
    object_type = _object(value["object"], f"{path}.object", version, sub=sub)
    if value["verb"]["id"] == VOIDED_VERB and object_type != "StatementRef":
        _fail(f"{path}.object", "a voiding Statement must have a StatementRef as its object")
    if "result" in value:
        _result(value["result"], f"{path}.result")
    if "context" in value:
        _context(value["context"], f"{path}.context", version, object_type)
    if "timestamp" in value:
        value["timestamp"] = format_timestamp(
            parse_timestamp(value["timestamp"], f"{path}.timestamp")
        )
    if "attachments" in value:
        _attachments(value["attachments"], f"{path}.attachments")
    if sub:
        return
    if "stored" in value:
        parse_timestamp(value["stored"], f"{path}.stored")
    if "authority" in value:
        authority = value["authority"]
        validate_actor(authority, f"{path}.authority")
        if authority.get("objectType") == "Group" and len(authority.get("member", [])) != 2:
            _fail(f"{path}.authority", "a Group authority must have exactly two Agents")
    if "version" in value and not statement_version_allowed(value["version"], version):
        allowed = "1.0.x" if version == V1 else "1.0.x or 2.0.x"
        _fail(f"{path}.version", f"must be {allowed}")


def validate_statement(value: Any, version: str = V2, path: str = "statement") -> dict[str, Any]:
    """Validate a Statement for the given API version ("1.0" or "2.0"); normalise in place."""
    _statement(value, path, version, sub=False)
    return value  # type: ignore[no-any-return]


def validate_agent_parameter(value: Any, path: str = "agent") -> dict[str, Any]:
    """The ``agent`` parameter of the document resources: an Agent (no Group)."""
    if type(value) is dict and value.get("objectType") == "Group":
        _fail(path, "must be an Agent, not a Group")
    validate_agent(value, path)
    return value  # type: ignore[no-any-return]


def validate_query_agent(value: Any, path: str = "agent") -> dict[str, Any]:
    """The ``agent`` filter of GET statements: an Agent or Identified Group."""
    _dict(value, path)
    if value.get("objectType") == "Group":
        validate_group(value, path)
        if not any(key in value for key in _IFI_KEYS):
            _fail(path, "must be an Agent or an Identified Group")
    else:
        validate_agent(value, path)
    return value


# --- identifiers for storage -------------------------------------------------------------


def ifi_string(agent: Mapping[str, Any]) -> str | None:
    """Canonical text of an Agent's or Identified Group's inverse functional identifier.

    The domain part of an e-mail address is case-insensitive (Data 2.3.1.b7), so it is
    lowercased; SHA-1 sums are lowercased too.
    """
    if "mbox" in agent:
        local, _, domain = agent["mbox"].partition("@")
        return f"mbox|{local}@{domain.lower()}"
    if "mbox_sha1sum" in agent:
        return f"sha1|{agent['mbox_sha1sum'].lower()}"
    if "openid" in agent:
        return f"openid|{agent['openid']}"
    if "account" in agent:
        account = agent["account"]
        return f"account|{account['homePage']}|{account['name']}"
    return None


@functools.lru_cache(maxsize=200_000)
def key_uuid(text: str) -> uuid.UUID:
    """A 128-bit key for an identifier (IRI or IFI), used in compact, fast indexes."""
    return uuid.UUID(bytes=hashlib.sha256(text.encode()).digest()[:16])


def agent_key(agent: Mapping[str, Any]) -> uuid.UUID | None:
    text = ifi_string(agent)
    return key_uuid(text) if text is not None else None


def iri_key(iri: str) -> uuid.UUID:
    return key_uuid("iri|" + iri)


# --- comparison (Data 2.3.1: statement immutability and its exceptions) ---------------------


def _canonical_agent(agent: Mapping[str, Any]) -> Any:
    result: dict[str, Any] = {
        key: agent[key] for key in agent if key not in ("mbox", "mbox_sha1sum", "member")
    }
    text = ifi_string(agent)
    if text is not None:
        result["_ifi"] = text
    if "member" in agent:
        result["member"] = sorted(
            (repr(_canonical_agent(member)) for member in agent["member"]),
        )
    result.setdefault("objectType", "Agent")
    return result


def _canonical(value: Any, key: str | None = None) -> Any:
    if type(value) is dict:
        object_type = value.get("objectType")
        if key in ("actor", "instructor", "team", "agent", "group") or object_type in (
            "Agent",
            "Group",
        ):
            return _canonical_agent(value)
        # Activity definitions are not part of the Statement (Data 2.3.1.b2).
        if (
            object_type in (None, "Activity")
            and "id" in value
            and (key in ("object", None) or key in CONTEXT_ACTIVITY_KEYS)
        ):
            return {"objectType": "Activity", "id": value["id"]}
        result = {}
        for item_key, item in value.items():
            if key == "verb" and item_key == "display":
                continue  # Data 2.3.1.b3
            result[item_key] = _canonical(item, item_key)
        if object_type == "StatementRef":
            result["id"] = str(value["id"]).lower()
        return result
    if type(value) is list:
        if key in CONTEXT_ACTIVITY_KEYS:
            return [_canonical(item, key) for item in value]
        return [_canonical(item, None) for item in value]
    return value


_IGNORED_FOR_COMPARISON = ("id", "authority", "stored", "timestamp", "version", "attachments")


def comparable(statement: Mapping[str, Any]) -> Any:
    """The part of a Statement that immutability covers, in a canonical form."""
    body = {key: statement[key] for key in statement if key not in _IGNORED_FOR_COMPARISON}
    canonical = _canonical(body)
    obj = statement.get("object")
    if type(obj) is dict and obj.get("objectType") == "SubStatement":
        sub = {key: obj[key] for key in obj if key not in ("timestamp", "attachments")}
        canonical["object"] = _canonical(sub)
        if "timestamp" in obj:
            canonical["object"]["timestamp"] = format_timestamp(parse_timestamp(obj["timestamp"]))
    return canonical


def statements_equivalent(
    first: Mapping[str, Any], second: Mapping[str, Any], *, ignore_timestamp: bool = False
) -> bool:
    """Whether two Statements are the same under the immutability rules (Data 2.3.1).

    A timestamp the LRS assigned (equal to ``stored``) or one the caller left out is one of the
    LRS's own assignments and is not compared.
    """
    if comparable(first) != comparable(second):
        return False
    if ignore_timestamp:
        return True
    for statement in (first, second):
        if "stored" in statement and statement.get("timestamp") == statement["stored"]:
            return True
    first_ts, second_ts = first.get("timestamp"), second.get("timestamp")
    if first_ts is not None and second_ts is not None:
        return parse_timestamp(first_ts) == parse_timestamp(second_ts)
    return True
