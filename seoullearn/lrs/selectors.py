"""Reads of the learning record store: the xAPI Statement query and the platform's readers.

Readers in other apps use ``statements_for_user``, ``learner_activity_summary`` and
``user_for_pseudonym``; they never read the tables directly.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson
from django.conf import settings
from django.db import connection
from django.db.models import Q, QuerySet

from seoullearn.core.timeutil import SEOUL
from seoullearn.lrs import indexing, xapi
from seoullearn.lrs.models import (
    Activity,
    Attachment,
    LRSClient,
    Statement,
    StatementRelation,
    Verb,
)

MAX_LIMIT = 500
# A relation list longer than this is matched with a subquery instead of an id list.
_RELATION_LIST_MAX = 2000
_REF_DEPTH = 10


@dataclass
class StatementQuery:
    """The filter parameters of GET /xapi/statements, already validated."""

    agent: dict[str, Any] | None = None
    verb: str | None = None
    activity: str | None = None
    registration: uuid.UUID | None = None
    related_activities: bool = False
    related_agents: bool = False
    since: dt.datetime | None = None
    until: dt.datetime | None = None
    limit: int = 0
    ascending: bool = False
    only_client_id: int | None = None
    # paging cursor: (stored, pk) of the last Statement already returned
    after: tuple[dt.datetime, int] | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def page_size(self) -> int:
        return MAX_LIMIT if self.limit <= 0 else min(self.limit, MAX_LIMIT)


def _relation_pks(kind: int, key: uuid.UUID, *, direct_only: bool) -> Q:
    relations = StatementRelation.objects.filter(key=key, kind=kind)
    if direct_only:
        relations = relations.filter(direct=True)
    ids = list(relations.values_list("statement_uuid", flat=True)[: _RELATION_LIST_MAX + 1])
    if len(ids) > _RELATION_LIST_MAX:
        return Q(statement_id__in=relations.values("statement_uuid"))
    return Q(statement_id__in=ids) if ids else Q()


def _filter_q(query: StatementQuery) -> Q:
    """The non-time filter conditions of a query, as one Q on Statement."""
    condition = Q()
    if query.agent is not None:
        key = xapi.agent_key(query.agent)
        assert key is not None
        agent_condition = Q(actor_key=key)
        related = _relation_pks(indexing.AGENT, key, direct_only=not query.related_agents)
        if related.children:
            agent_condition |= related
        condition &= agent_condition
    if query.verb is not None:
        condition &= Q(verb_key=xapi.iri_key(query.verb))
    if query.activity is not None:
        key = xapi.iri_key(query.activity)
        activity_condition = Q(activity_key=key)
        if query.related_activities:
            related = _relation_pks(indexing.ACTIVITY, key, direct_only=False)
            if related.children:
                activity_condition |= related
        condition &= activity_condition
    if query.registration is not None:
        condition &= Q(registration=query.registration)
    return condition


def _time_q(query: StatementQuery) -> Q:
    condition = Q(voided=False)
    if query.only_client_id is not None:
        condition &= Q(client_id=query.only_client_id)
    if query.since is not None:
        condition &= Q(stored__gt=query.since)
    if query.until is not None:
        condition &= Q(stored__lte=query.until)
    if query.after is not None:
        stored, pk = query.after
        if query.ascending:
            condition &= Q(stored__gt=stored) | Q(stored=stored, pk__gt=pk)
        else:
            condition &= Q(stored__lt=stored) | Q(stored=stored, pk__lt=pk)
    return condition


def _targeting_pks(query: StatementQuery, filter_q: Q, time_q: Q) -> list[int]:
    """Statements that match because a Statement they target (recursively) matches
    (Communication 2.1.3 "Filter Conditions for StatementRefs")."""
    # Targeting Statements are few: find them through the partial index on ref_id alone (a
    # planner given the time range too may prefer scanning the stored index), then apply the
    # time and paging conditions to those rows only.
    all_targeting = dict(
        Statement.objects.filter(ref_id__isnull=False).values_list("pk", "ref_id")[:50_000]
    )
    if not all_targeting:
        return []
    in_window = Statement.objects.filter(time_q, pk__in=list(all_targeting)).values_list(
        "pk", flat=True
    )
    candidates: list[tuple[int, uuid.UUID]] = [
        (pk, ref) for pk in in_window if (ref := all_targeting[pk]) is not None
    ]
    if not candidates:
        return []
    # Follow each candidate's chain of StatementRefs; a candidate matches when any Statement
    # along its chain matches the filter (voided targets included).
    chain_of: dict[int, list[uuid.UUID]] = {pk: [ref] for pk, ref in candidates}
    frontier = {ref for _, ref in candidates}
    known: dict[uuid.UUID, uuid.UUID | None] = {}
    for _ in range(_REF_DEPTH):
        missing = frontier - set(known)
        if not missing:
            break
        rows = Statement.objects.filter(statement_id__in=list(missing)).values_list(
            "statement_id", "ref_id"
        )
        found = dict(rows)
        for target in missing:
            known[target] = found.get(target)
        frontier = {ref for ref in found.values() if ref is not None}
    for chain in chain_of.values():
        while len(chain) <= _REF_DEPTH:
            nxt = known.get(chain[-1])
            if nxt is None or nxt in chain:
                break
            chain.append(nxt)
    every_target = {target for chain in chain_of.values() for target in chain}
    matching = set(
        Statement.objects.filter(filter_q, statement_id__in=list(every_target)).values_list(
            "statement_id", flat=True
        )
    )
    return [pk for pk, chain in chain_of.items() if any(t in matching for t in chain)]


def statements_page(query: StatementQuery) -> tuple[list[tuple[int, dt.datetime, str]], bool]:
    """One page of matching Statements: (pk, stored, payload JSON text), and whether more
    follow. Ordered by stored time (newest first unless ``ascending``), ties by insertion."""
    filter_q = _filter_q(query)
    time_q = _time_q(query)
    condition = filter_q
    if filter_q.children:
        extra = _targeting_pks(query, filter_q, time_q)
        if extra:
            condition = filter_q | Q(pk__in=extra)
    order = ("stored", "pk") if query.ascending else ("-stored", "-pk")
    size = query.page_size
    rows = list(
        Statement.objects.filter(condition, time_q)
        .order_by(*order)
        .values_list("pk", "stored", _payload_text())[: size + 1]
    )
    has_more = len(rows) > size
    return rows[:size], has_more


def _payload_text() -> Any:
    """Select the payload as JSON text (no parse and re-serialise on the way out)."""
    from django.db.models import TextField
    from django.db.models.functions import Cast

    if connection.vendor == "postgresql":
        return Cast("payload", TextField())
    return "payload"


def payload_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    return orjson.dumps(value).decode()


def statement_by_id(
    statement_id: uuid.UUID, *, voided: bool, only_client_id: int | None = None
) -> tuple[dt.datetime, str] | None:
    """A single Statement by statementId (not voided) or voidedStatementId (voided)."""
    qs = Statement.objects.filter(statement_id=statement_id, voided=voided)
    if only_client_id is not None:
        qs = qs.filter(client_id=only_client_id)
    row = qs.values_list("stored", _payload_text()).first()
    if row is None:
        return None
    return row[0], payload_text(row[1])


def attachments_for(statements: Iterable[Mapping[str, Any]]) -> list[Attachment]:
    wanted: set[str] = set()

    def collect(statement: Mapping[str, Any]) -> None:
        for attachment in statement.get("attachments", ()):
            wanted.add(attachment["sha2"].lower())
        obj = statement.get("object") or {}
        if obj.get("objectType") == "SubStatement":
            collect(obj)

    for statement in statements:
        collect(statement)
    if not wanted:
        return []
    return list(Attachment.objects.filter(sha2__in=wanted))


# --- formats -------------------------------------------------------------------------------


def _ids_agent(agent: Mapping[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    if "objectType" in agent:
        result["objectType"] = agent["objectType"]
    for key in ("mbox", "mbox_sha1sum", "openid", "account"):
        if key in agent:
            result[key] = agent[key]
    if "member" in agent and not any(
        key in agent for key in ("mbox", "mbox_sha1sum", "openid", "account")
    ):
        result["member"] = [_ids_agent(member) for member in agent["member"]]
    return result


def _ids_activity(activity: Mapping[str, Any]) -> dict[str, Any]:
    return {"objectType": "Activity", "id": activity["id"]}


def _reformat(
    statement: dict[str, Any],
    mode: str,
    languages: Sequence[str],
    canonical_activities: Mapping[str, dict[str, Any]],
    canonical_verbs: Mapping[str, dict[str, Any]],
) -> dict[str, Any]:
    def agent(value: Mapping[str, Any]) -> dict[str, Any]:
        return _ids_agent(value) if mode == "ids" else dict(value)

    def activity(value: Mapping[str, Any]) -> dict[str, Any]:
        if mode == "ids":
            return _ids_activity(value)
        canonical = canonical_activities.get(value["id"])
        result = {"objectType": "Activity", "id": value["id"]}
        definition = canonical if canonical is not None else value.get("definition")
        if definition:
            result["definition"] = _filter_definition(definition, languages)
        return result

    def walk(stmt: dict[str, Any]) -> dict[str, Any]:
        out = dict(stmt)
        out["actor"] = agent(stmt["actor"])
        verb = stmt["verb"]
        if mode == "ids":
            out["verb"] = {"id": verb["id"]}
        else:
            display = canonical_verbs.get(verb["id"]) or verb.get("display")
            out["verb"] = {"id": verb["id"]}
            if display:
                out["verb"]["display"] = _pick_language(display, languages)
        obj = stmt["object"]
        object_type = obj.get("objectType", "Activity")
        if object_type == "Activity":
            out["object"] = activity(obj)
        elif object_type in ("Agent", "Group"):
            out["object"] = agent(obj)
        elif object_type == "SubStatement":
            out["object"] = walk(obj)
        if "authority" in stmt:
            out["authority"] = agent(stmt["authority"])
        context = stmt.get("context")
        if context:
            context = dict(context)
            for key in ("instructor", "team"):
                if key in context:
                    context[key] = agent(context[key])
            if "contextActivities" in context:
                context["contextActivities"] = {
                    key: [activity(item) for item in items]
                    for key, items in context["contextActivities"].items()
                }
            if "contextAgents" in context:
                context["contextAgents"] = [
                    {**item, "agent": agent(item["agent"])} for item in context["contextAgents"]
                ]
            if "contextGroups" in context:
                context["contextGroups"] = [
                    {**item, "group": agent(item["group"])} for item in context["contextGroups"]
                ]
            out["context"] = context
        return out

    return walk(statement)


def _load_canonical(
    statements: Sequence[Mapping[str, Any]],
) -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, Any]]]:
    activity_ids: set[str] = set()
    verb_ids: set[str] = set()

    def collect(stmt: Mapping[str, Any]) -> None:
        verb_ids.add(stmt["verb"]["id"])
        obj = stmt["object"]
        if obj.get("objectType", "Activity") == "Activity":
            activity_ids.add(obj["id"])
        elif obj.get("objectType") == "SubStatement":
            collect(obj)
        for items in ((stmt.get("context") or {}).get("contextActivities") or {}).values():
            activity_ids.update(item["id"] for item in items)

    for statement in statements:
        collect(statement)
    activities = {
        row.activity_id: row.definition
        for row in Activity.objects.filter(activity_id__in=activity_ids)
    }
    verbs = {row.verb_id: row.display for row in Verb.objects.filter(verb_id__in=verb_ids)}
    return activities, verbs


def parse_accept_language(header: str | None) -> list[str]:
    """Language ranges in order of preference (RFC 2616 14.4)."""
    if not header:
        return []
    ranges = []
    for index, part in enumerate(header.split(",")):
        piece = part.strip()
        if not piece:
            continue
        tag, _, params = piece.partition(";")
        quality = 1.0
        match = re.search(r"q\s*=\s*([0-9.]+)", params)
        if match:
            try:
                quality = float(match.group(1))
            except ValueError:
                quality = 0.0
        if quality > 0:
            ranges.append((-quality, index, tag.strip().lower()))
    return [tag for _, _, tag in sorted(ranges)]


def _pick_language(language_map: Mapping[str, str], languages: Sequence[str]) -> dict[str, str]:
    """One entry of a language map, chosen by Accept-Language (Communication 2.1.3.s4)."""
    if not language_map:
        return {}
    lowered = {key.lower(): key for key in language_map}
    for wanted in languages:
        if wanted == "*":
            break
        if wanted in lowered:
            key = lowered[wanted]
            return {key: language_map[key]}
        for candidate, key in lowered.items():
            if candidate.startswith(wanted + "-") or wanted.startswith(candidate + "-"):
                return {key: language_map[key]}
    key = next(iter(language_map))
    return {key: language_map[key]}


def _filter_definition(definition: Mapping[str, Any], languages: Sequence[str]) -> dict[str, Any]:
    result = dict(definition)
    for key in ("name", "description"):
        if key in result:
            result[key] = _pick_language(result[key], languages)
    for key in ("choices", "scale", "source", "target", "steps"):
        if key in result:
            result[key] = [
                {**item, "description": _pick_language(item["description"], languages)}
                if "description" in item
                else dict(item)
                for item in result[key]
            ]
    return result


def format_statements(
    statements: list[dict[str, Any]], mode: str, accept_language: str | None
) -> list[dict[str, Any]]:
    if mode == "exact":
        return statements
    languages = parse_accept_language(accept_language)
    activities: dict[str, dict[str, Any]] = {}
    verbs: dict[str, dict[str, Any]] = {}
    if mode == "canonical":
        activities, verbs = _load_canonical(statements)
    return [_reformat(statement, mode, languages, activities, verbs) for statement in statements]


# --- Activities and Agents resources ----------------------------------------------------------


def activity_object(activity_id: str) -> dict[str, Any]:
    row = Activity.objects.filter(activity_id=activity_id).first()
    result: dict[str, Any] = {"objectType": "Activity", "id": activity_id}
    if row is not None and row.definition:
        result["definition"] = row.definition
    return result


def person_object(agent: Mapping[str, Any]) -> dict[str, Any]:
    """The Person object for an Agent. The LRS keeps no directory of people (members are
    pseudonymous), so it holds only what the request named (Communication 2.4.s3.b3)."""
    person: dict[str, Any] = {"objectType": "Person"}
    if "name" in agent:
        person["name"] = [agent["name"]]
    for key in ("mbox", "mbox_sha1sum", "openid", "account"):
        if key in agent:
            person[key] = [agent[key]]
    return person


# --- the platform's readers -------------------------------------------------------------------


def member_actor_key(user: Any) -> uuid.UUID:
    return xapi.key_uuid(f"account|{settings.SITE_URL.rstrip('/')}|{user.pseudonym}")


def user_for_pseudonym(pseudonym: uuid.UUID | str) -> Any | None:
    """The member behind a pseudonymous account name, or None."""
    from django.contrib.auth import get_user_model

    try:
        value = uuid.UUID(str(pseudonym))
    except ValueError:
        return None
    return get_user_model().objects.filter(pseudonym=value).first()


def user_for_actor(actor: Mapping[str, Any]) -> Any | None:
    """The member an actor stands for, when it is a platform pseudonymous account."""
    account = actor.get("account")
    if not isinstance(account, Mapping):
        return None
    if str(account.get("homePage", "")).rstrip("/") != settings.SITE_URL.rstrip("/"):
        return None
    return user_for_pseudonym(str(account.get("name", "")))


def _user_statements(
    user: Any, since: dt.datetime | None, verbs: Iterable[str] | None
) -> QuerySet[Statement]:
    qs = Statement.objects.filter(actor_key=member_actor_key(user), voided=False)
    if since is not None:
        qs = qs.filter(stored__gt=since)
    if verbs:
        qs = qs.filter(verb_key__in=[xapi.iri_key(verb) for verb in verbs])
    return qs


def statements_for_user(
    user: Any,
    since: dt.datetime | None = None,
    verbs: Iterable[str] | None = None,
    limit: int | None = None,
) -> list[dict[str, Any]]:
    """A member's Statements (not voided), newest first, as stored. ``since`` is exclusive
    and compares with the stored time, so a reader can poll with its last seen value."""
    qs = _user_statements(user, since, verbs).order_by("-stored", "-pk")
    if limit is not None:
        qs = qs[:limit]
    return [row for row in qs.values_list("payload", flat=True)]


_DURATION_PART = re.compile(r"(\d+(?:[.,]\d+)?)([YMWDHS])")


def duration_seconds(value: str) -> float:
    """Seconds in an ISO 8601 duration (years as 365 days, months as 30 days)."""
    if not xapi.is_duration(value):
        return 0.0
    date_part, _, time_part = value[1:].partition("T")
    factors_date = {"Y": 365 * 86400, "M": 30 * 86400, "W": 7 * 86400, "D": 86400}
    factors_time = {"H": 3600, "M": 60, "S": 1}
    total = 0.0
    for number, unit in _DURATION_PART.findall(date_part):
        total += float(number.replace(",", ".")) * factors_date[unit]
    for number, unit in _DURATION_PART.findall(time_part):
        total += float(number.replace(",", ".")) * factors_time[unit]
    return total


COMPLETED_VERBS = frozenset(
    {"http://adlnet.gov/expapi/verbs/completed", "http://adlnet.gov/expapi/verbs/passed"}
)


def learner_activity_summary(user: Any, since: dt.datetime | None = None) -> dict[str, Any]:
    """What a member did according to the LRS: time spent (sum of result.duration), completed
    Activities, scores, active days (in Seoul time), per-verb counts and the last activity."""
    rows = _user_statements(user, since, None).values_list("timestamp", "payload")
    seconds = 0.0
    completed: set[str] = set()
    scores: list[float] = []
    days: set[dt.date] = set()
    verbs: Counter[str] = Counter()
    activities: set[str] = set()
    last: dt.datetime | None = None
    for timestamp, payload in rows:
        days.add(timestamp.astimezone(SEOUL).date())
        last = timestamp if last is None or timestamp > last else last
        verb_id = payload["verb"]["id"]
        verbs[verb_id] += 1
        obj = payload["object"]
        activity_id = obj.get("id") if obj.get("objectType", "Activity") == "Activity" else None
        if activity_id:
            activities.add(activity_id)
        result = payload.get("result") or {}
        if "duration" in result:
            seconds += duration_seconds(result["duration"])
        if activity_id and (result.get("completion") is True or verb_id in COMPLETED_VERBS):
            completed.add(activity_id)
        scaled = (result.get("score") or {}).get("scaled")
        if isinstance(scaled, int | float) and not isinstance(scaled, bool):
            scores.append(float(scaled))
    return {
        "statements": sum(verbs.values()),
        "seconds": round(seconds),
        "completions": len(completed),
        "completed_activities": sorted(completed),
        "activities": len(activities),
        "scores": scores,
        "mean_scaled_score": round(sum(scores) / len(scores), 4) if scores else None,
        "active_days": len(days),
        "active_dates": sorted(days),
        "verbs": dict(verbs),
        "last_activity_at": last,
    }


# --- operator pages -----------------------------------------------------------------------------


def clients_for_operator(
    *, search: str = "", status: str = "", provider_id: int | None = None
) -> QuerySet[LRSClient]:
    qs = LRSClient.objects.select_related("provider").order_by("name", "pk")
    if search:
        qs = qs.filter(Q(name__icontains=search) | Q(key__icontains=search))
    if status == "active":
        qs = qs.filter(revoked_at__isnull=True)
    elif status == "revoked":
        qs = qs.filter(revoked_at__isnull=False)
    if provider_id is not None:
        qs = qs.filter(provider_id=provider_id)
    return qs
