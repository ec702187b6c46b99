"""Query keys of a validated Statement: the columns and relation rows the LRS indexes.

Pure functions (no Django), shared by ingestion and by the query builder so that a filter and
the stored keys are always computed the same way.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from seoullearn.lrs.xapi import CONTEXT_ACTIVITY_KEYS, VOIDED_VERB, agent_key, iri_key

AGENT = 1
ACTIVITY = 2


@dataclass
class StatementKeys:
    actor_key: uuid.UUID
    verb_key: uuid.UUID
    activity_key: uuid.UUID | None
    registration: uuid.UUID | None
    ref_id: uuid.UUID | None
    is_voiding: bool
    # (kind, key, direct) beyond actor_key / activity_key
    relations: set[tuple[int, uuid.UUID, bool]] = field(default_factory=set)


def _agents_of(actor: Mapping[str, Any]) -> Iterator[tuple[uuid.UUID, bool]]:
    """Keys of an Agent/Group and, for a Group, of its members (bool: is a member)."""
    key = agent_key(actor)
    if key is not None:
        yield key, False
    for member in actor.get("member", ()):
        member_key = agent_key(member)
        if member_key is not None:
            yield member_key, True


def _add_agent(keys: StatementKeys, actor: Mapping[str, Any], *, direct: bool) -> None:
    for key, _member in _agents_of(actor):
        keys.relations.add((AGENT, key, direct))


def _context_relations(keys: StatementKeys, context: Mapping[str, Any]) -> None:
    for name in ("instructor", "team"):
        if name in context:
            _add_agent(keys, context[name], direct=False)
    for item in context.get("contextAgents", ()):
        _add_agent(keys, item["agent"], direct=False)
    for item in context.get("contextGroups", ()):
        _add_agent(keys, item["group"], direct=False)
    activities = context.get("contextActivities") or {}
    for name in CONTEXT_ACTIVITY_KEYS:
        for activity in activities.get(name, ()):
            keys.relations.add((ACTIVITY, iri_key(activity["id"]), False))


def statement_keys(statement: Mapping[str, Any]) -> StatementKeys:
    actor = statement["actor"]
    obj = statement["object"]
    object_type = obj.get("objectType", "Activity")
    actor_text_key = agent_key(actor)
    verb_id = statement["verb"]["id"]
    keys = StatementKeys(
        # An anonymous Group has no identifier of its own; its members are direct relations.
        actor_key=actor_text_key or uuid.UUID(int=0),
        verb_key=iri_key(verb_id),
        activity_key=iri_key(obj["id"]) if object_type == "Activity" else None,
        registration=None,
        ref_id=uuid.UUID(obj["id"]) if object_type == "StatementRef" else None,
        is_voiding=verb_id == VOIDED_VERB,
    )
    for key, is_member in _agents_of(actor):
        if is_member:
            keys.relations.add((AGENT, key, True))
    if object_type in ("Agent", "Group"):
        _add_agent(keys, obj, direct=True)
    context = statement.get("context")
    if context:
        registration = context.get("registration")
        if registration:
            keys.registration = uuid.UUID(registration)
        _context_relations(keys, context)
    authority = statement.get("authority")
    if authority:
        _add_agent(keys, authority, direct=False)
    if object_type == "SubStatement":
        _add_agent(keys, obj["actor"], direct=False)
        sub_object = obj["object"]
        sub_type = sub_object.get("objectType", "Activity")
        if sub_type == "Activity":
            keys.relations.add((ACTIVITY, iri_key(sub_object["id"]), False))
        elif sub_type in ("Agent", "Group"):
            _add_agent(keys, sub_object, direct=False)
        if obj.get("context"):
            _context_relations(keys, obj["context"])
    # The relation rows never repeat what the columns already hold.
    keys.relations.discard((AGENT, keys.actor_key, False))
    if keys.activity_key is not None:
        keys.relations.discard((ACTIVITY, keys.activity_key, False))
    # A direct relation implies the related one; keep only the direct row.
    for kind, key, direct in list(keys.relations):
        if direct:
            keys.relations.discard((kind, key, False))
    return keys


def activities_with_definitions(statement: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    """Every Activity object in the Statement that carries a definition."""

    def walk(stmt: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
        obj = stmt["object"]
        object_type = obj.get("objectType", "Activity")
        if object_type == "Activity" and "definition" in obj:
            yield obj
        context = stmt.get("context") or {}
        for name in CONTEXT_ACTIVITY_KEYS:
            for activity in (context.get("contextActivities") or {}).get(name, ()):
                if "definition" in activity:
                    yield activity
        if object_type == "SubStatement":
            yield from walk(obj)

    yield from walk(statement)
