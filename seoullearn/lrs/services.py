"""Writes of the learning record store: credentials, Statements, documents, the outbox.

``statements_store`` is the ingestion hot path. A request's Statements are validated in full,
then stored in one transaction together with their query keys and one outbox row: either the
whole batch is stored or nothing is (Communication 3.2.s3.b9). On PostgreSQL the rows go in
with ``COPY`` (ids pre-allocated from the sequence); elsewhere with bulk inserts.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import threading
import time
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import orjson
from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from psycopg import errors as psycopg_errors

from seoullearn.core.errors import InvalidInput
from seoullearn.core.timeutil import now
from seoullearn.lrs import indexing, xapi
from seoullearn.lrs.errors import BadRequest, ConflictError, Forbidden, PreconditionFailed
from seoullearn.lrs.models import (
    SCOPES,
    Activity,
    Attachment,
    Document,
    LRSClient,
    OutboxBatch,
    Statement,
    StatementRelation,
    Verb,
)

logger = logging.getLogger(__name__)

PLATFORM_CLIENT_NAME = "Seoul Learn platform"


# --- credentials ---------------------------------------------------------------------------


def _check_scopes(scopes: Iterable[str]) -> list[str]:
    result = []
    for scope in scopes:
        scope = scope.strip()
        if not scope:
            continue
        if scope not in SCOPES:
            raise InvalidInput(
                f"unknown scope {scope!r}; use {', '.join(SCOPES)}",
                code="unknown_scope",
                details={"scope": scope},
            )
        if scope not in result:
            result.append(scope)
    if not result:
        raise InvalidInput("at least one scope is required", code="no_scope")
    return result


@transaction.atomic
def lrs_client_create(
    *,
    name: str,
    scopes: Iterable[str],
    provider: Any = None,
    created_by: Any = None,
    with_oauth: bool = False,
) -> tuple[LRSClient, str]:
    """Issue a credential. Returns the client and its secret (shown once, never stored)."""
    name = name.strip()
    if not name:
        raise InvalidInput("a name is required", code="name_required")
    secret = LRSClient.generate_secret()
    client = LRSClient.objects.create(
        name=name[:100],
        provider=provider,
        key=LRSClient.generate_key(),
        secret_hash=LRSClient.hash_secret(secret),
        scopes=_check_scopes(scopes),
        created_by=created_by if getattr(created_by, "is_authenticated", False) else None,
    )
    if with_oauth:
        lrs_client_link_oauth(client=client, secret=secret)
    return client, secret


def lrs_client_link_oauth(*, client: LRSClient, secret: str) -> Any:
    """Create the client's OAuth2 application (client-credentials grant, confidential).

    Its client id is the LRS key and its client secret the same secret as for HTTP Basic, so
    one credential serves both ways of authenticating (and one rotation renews both).
    """
    from oauth2_provider.models import Application

    existing = Application.objects.filter(client_id=client.key).first()
    if existing is not None:
        return existing
    application = Application.objects.create(
        name=f"xAPI: {client.name}"[:255],
        client_id=client.key,
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_CLIENT_CREDENTIALS,
        client_secret=secret,
        skip_authorization=True,
    )
    client.oauth_enabled = True
    client.save(update_fields=["oauth_enabled", "updated_at"])
    return application


@transaction.atomic
def lrs_client_rotate(*, client: LRSClient, by: Any = None) -> str:
    """Replace the secret (HTTP Basic and, when linked, OAuth2). Returns the new secret."""
    client = LRSClient.objects.select_for_update().get(pk=client.pk)
    if not client.is_active:
        raise InvalidInput("a revoked credential cannot be rotated", code="revoked")
    secret = LRSClient.generate_secret()
    client.secret_hash = LRSClient.hash_secret(secret)
    client.rotated_at = now()
    client.save(update_fields=["secret_hash", "rotated_at", "updated_at"])
    for application in _oauth_applications(client):
        application.client_secret = secret
        application.save()
        application.accesstoken_set.all().delete()
    _forget_client(client.key)
    return secret


@transaction.atomic
def lrs_client_revoke(*, client: LRSClient, reason: str, by: Any = None) -> LRSClient:
    client = LRSClient.objects.select_for_update().get(pk=client.pk)
    if not client.is_active:
        raise InvalidInput("the credential is already revoked", code="revoked")
    if client.is_platform:
        raise InvalidInput("the platform's own credential cannot be revoked", code="platform")
    if not reason.strip():
        raise InvalidInput("a reason is required", code="reason_required")
    client.revoked_at = now()
    client.revoked_reason = reason.strip()[:300]
    client.save(update_fields=["revoked_at", "revoked_reason", "updated_at"])
    for application in _oauth_applications(client):
        application.accesstoken_set.all().delete()
        application.delete()
    _forget_client(client.key)
    return client


def _oauth_applications(client: LRSClient) -> list[Any]:
    from oauth2_provider.models import Application

    return list(Application.objects.filter(client_id=client.key))


def _forget_client(key: str) -> None:
    from seoullearn.lrs import auth

    auth.forget(key)


def platform_client() -> LRSClient:
    """The platform's own credential: authority of the Statements our apps record."""
    client = LRSClient.objects.filter(is_platform=True).first()
    if client is not None:
        return client
    try:
        with transaction.atomic():
            return LRSClient.objects.create(
                name=PLATFORM_CLIENT_NAME,
                key=LRSClient.generate_key(),
                secret_hash=LRSClient.hash_secret(LRSClient.generate_secret()),
                scopes=["all"],
                is_platform=True,
            )
    except IntegrityError:
        return LRSClient.objects.get(is_platform=True)


# --- Statements ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Credential:
    """Who is calling: the client row and the scopes granted for this request."""

    client: LRSClient
    scopes: frozenset[str]

    def allows(self, *scopes: str) -> bool:
        return "all" in self.scopes or any(scope in self.scopes for scope in scopes)

    @property
    def can_define(self) -> bool:
        return "all" in self.scopes or "define" in self.scopes


_canonical_cache: dict[str, bytes] = {}
_canonical_lock = threading.Lock()


def _digest(value: Any) -> bytes:
    return hashlib.sha1(orjson.dumps(value, option=orjson.OPT_SORT_KEYS)).digest()  # noqa: S324


def _merge_language_maps(old: Mapping[str, Any], new: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(old)
    for key, value in new.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = {**merged[key], **value}
        else:
            merged[key] = value
    return merged


def _update_canonical(statements: Sequence[Mapping[str, Any]]) -> None:
    """Merge Activity definitions and Verb displays into the LRS's canonical copies.

    An in-process digest cache skips definitions already seen unchanged, so a stream of
    Statements about the same Activities costs no writes here.
    """
    activities: dict[str, dict[str, Any]] = {}
    verbs: dict[str, dict[str, Any]] = {}
    for statement in statements:
        for activity in indexing.activities_with_definitions(statement):
            definition = activity["definition"]
            current = activities.get(activity["id"])
            activities[activity["id"]] = (
                _merge_language_maps(current, definition) if current else dict(definition)
            )
        verb = statement["verb"]
        if "display" in verb:
            verbs.setdefault(verb["id"], {}).update(verb["display"])
    changed_activities = {}
    for activity_id, definition in activities.items():
        digest = _digest(definition)
        if _canonical_cache.get("a" + activity_id) != digest:
            changed_activities[activity_id] = (definition, digest)
    changed_verbs = {}
    for verb_id, display in verbs.items():
        digest = _digest(display)
        if _canonical_cache.get("v" + verb_id) != digest:
            changed_verbs[verb_id] = (display, digest)
    if changed_activities:
        existing = {
            row.activity_id: row
            for row in Activity.objects.select_for_update().filter(
                activity_id__in=list(changed_activities)
            )
        }
        for activity_id, (definition, digest) in sorted(changed_activities.items()):
            row = existing.get(activity_id)
            if row is None:
                Activity.objects.create(activity_id=activity_id, definition=definition)
            else:
                merged = _merge_language_maps(row.definition, definition)
                if merged != row.definition:
                    row.definition = merged
                    row.save(update_fields=["definition", "updated"])
            _remember_canonical("a" + activity_id, digest)
    if changed_verbs:
        existing_verbs = {
            row.verb_id: row
            for row in Verb.objects.select_for_update().filter(verb_id__in=list(changed_verbs))
        }
        for verb_id, (display, digest) in sorted(changed_verbs.items()):
            verb_row = existing_verbs.get(verb_id)
            if verb_row is None:
                Verb.objects.create(verb_id=verb_id, display=display)
            elif {**verb_row.display, **display} != verb_row.display:
                verb_row.display = {**verb_row.display, **display}
                verb_row.save(update_fields=["display"])
            _remember_canonical("v" + verb_id, digest)


def _remember_canonical(key: str, digest: bytes) -> None:
    def remember() -> None:
        with _canonical_lock:
            if len(_canonical_cache) > 50_000:
                _canonical_cache.clear()
            _canonical_cache[key] = digest

    transaction.on_commit(remember)


def _member_emails_in(statements: Sequence[Mapping[str, Any]]) -> list[str]:
    """E-mail addresses used as mbox anywhere an Agent can stand for a member."""
    emails: list[str] = []

    def collect(agent: Mapping[str, Any] | None) -> None:
        if not agent:
            return
        if "mbox" in agent:
            emails.append(agent["mbox"][7:])
        for member in agent.get("member", ()):
            collect(member)

    for statement in statements:
        collect(statement["actor"])
        obj = statement["object"]
        if obj.get("objectType") in ("Agent", "Group"):
            collect(obj)
        context = statement.get("context") or {}
        collect(context.get("instructor"))
        collect(context.get("team"))
        for item in context.get("contextAgents", ()):
            collect(item["agent"])
    return emails


def _refuse_member_emails(statements: Sequence[Mapping[str, Any]]) -> None:
    """Members appear only under their pseudonymous account, never by e-mail address."""
    emails = _member_emails_in(statements)
    if not emails:
        return
    from django.contrib.auth import get_user_model

    query = Q()
    for email in set(emails):
        query |= Q(email__iexact=email)
    if get_user_model().objects.filter(query).exists():
        raise BadRequest(
            "a platform member is identified by e-mail (mbox); identify members only by their "
            'pseudonymous account {{"homePage": "{}", "name": "<pseudonym>"}}'.format(
                settings.SITE_URL.rstrip("/")
            )
        )


def _check_attachments(
    statements: Sequence[dict[str, Any]], parts: Mapping[str, tuple[str, bytes]]
) -> dict[str, tuple[str, bytes]]:
    """Every attachment without fileUrl needs a part with its SHA-2; no part is unused."""
    from seoullearn.lrs.signatures import signature_attachment, verify_signed_statement

    used: dict[str, tuple[str, bytes]] = {}
    for index, statement in enumerate(statements):
        for position, attachment in enumerate(statement.get("attachments", ())):
            sha2 = attachment["sha2"].lower()
            part = parts.get(sha2)
            if part is None:
                if "fileUrl" not in attachment:
                    raise BadRequest(
                        f"statements[{index}].attachments[{position}]: no fileUrl and no "
                        "multipart/mixed part with this sha2"
                    )
                continue
            if len(part[1]) != attachment["length"]:
                raise BadRequest(
                    f"statements[{index}].attachments[{position}].length does not match the "
                    "attachment data"
                )
            used[sha2] = part
        signature = signature_attachment(statement)
        if signature is not None:
            part = parts.get(signature["sha2"].lower())
            if part is None:
                raise BadRequest(f"statements[{index}]: the signature attachment data is missing")
            verify_signed_statement(statement, part[1])
    unused = set(parts) - set(used)
    if unused:
        raise BadRequest("a multipart/mixed part is not referenced by any attachment's sha2")
    return used


@dataclass
class _Row:
    pk: int
    statement: dict[str, Any]
    keys: indexing.StatementKeys
    voided: bool = False


def _existing(ids: list[uuid.UUID]) -> dict[uuid.UUID, dict[str, Any]]:
    if not ids:
        return {}
    return {
        row[0]: row[1]
        for row in Statement.objects.filter(statement_id__in=ids).values_list(
            "statement_id", "payload"
        )
    }


def statements_store(
    *,
    statements: list[dict[str, Any]],
    credential: Credential,
    version: str,
    attachments: Mapping[str, tuple[str, bytes]] | None = None,
    validated: bool = False,
) -> list[str]:
    """Validate and store a batch of Statements; returns their ids in request order.

    Statements whose id is already stored with equivalent content are acknowledged without
    any change; a different one with a stored id makes the whole batch fail with 409.
    """
    if not statements:
        return []
    if not validated:
        for index, statement in enumerate(statements):
            try:
                xapi.validate_statement(statement, version, path=f"statements[{index}]")
            except xapi.XAPIError as exc:
                raise BadRequest(str(exc)) from exc
    ids: list[str] = []
    seen: set[str] = set()
    for statement in statements:
        statement_id = statement.get("id") or str(uuid.uuid4())
        statement["id"] = statement_id
        if statement_id in seen:
            raise BadRequest(f"the batch holds the Statement id {statement_id} twice")
        seen.add(statement_id)
        ids.append(statement_id)
    if credential.client.is_platform is False:
        _refuse_member_emails(statements)
    parts = _check_attachments(statements, attachments or {})

    stored_at = now()
    stored_text = xapi.format_timestamp(stored_at)
    authority = credential.client.authority()
    default_version = "2.0.0" if version == xapi.V2 else "1.0.0"
    no_timestamp = {statement["id"] for statement in statements if "timestamp" not in statement}
    for statement in statements:
        statement["stored"] = stored_text
        statement.setdefault("timestamp", stored_text)
        statement["authority"] = authority
        statement.setdefault("version", default_version)

    if connection.vendor == "sqlite" and not connection.in_atomic_block:
        # WAL + synchronous=NORMAL (the project default) survives a process crash but not a
        # power loss; an acknowledged Statement must survive both.
        level = getattr(settings, "LRS_SQLITE_SYNCHRONOUS", "FULL")
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA synchronous={level}")
    # Optimistic first: new ids are the rule, so the batch goes straight in and the unique
    # index on statement_id catches a repeated id; then the batch is decided again with a
    # look at what is stored (equal Statements are acknowledged, different ones are 409).
    optimistic = True
    for attempt in range(3):
        try:
            with transaction.atomic():
                _store_batch(
                    statements,
                    credential,
                    stored_at,
                    parts,
                    optimistic=optimistic,
                    no_timestamp=no_timestamp,
                )
            break
        except (IntegrityError, psycopg_errors.UniqueViolation):
            optimistic = False
            if attempt == 2:
                raise
    _after_store()
    return ids


def _store_batch(
    statements: list[dict[str, Any]],
    credential: Credential,
    stored_at: dt.datetime,
    parts: Mapping[str, tuple[str, bytes]],
    *,
    optimistic: bool,
    no_timestamp: set[str],
) -> None:
    if optimistic:
        new = statements
    else:
        existing = _existing([uuid.UUID(statement["id"]) for statement in statements])
        new = []
        for statement in statements:
            previous = existing.get(uuid.UUID(statement["id"]))
            if previous is None:
                new.append(statement)
            elif not xapi.statements_equivalent(
                previous, statement, ignore_timestamp=statement["id"] in no_timestamp
            ):
                raise ConflictError(
                    f"a different Statement with id {statement['id']} is already stored; "
                    "Statements are immutable"
                )
        if not new:
            return
    keys = [indexing.statement_keys(statement) for statement in new]

    # Voiding: targets must not be voiding Statements, and only their author (or a client
    # with "all") may void them.
    to_void: list[uuid.UUID] = []
    voiding_targets = [k.ref_id for k in keys if k.is_voiding and k.ref_id is not None]
    if voiding_targets:
        targets = Statement.objects.filter(statement_id__in=voiding_targets).values_list(
            "statement_id", "is_voiding", "client_id"
        )
        for target_id, target_is_voiding, target_client in targets:
            if target_is_voiding:
                continue
            if target_client != credential.client.pk and "all" not in credential.scopes:
                raise Forbidden(
                    f"this credential may not void Statement {target_id}, which another "
                    "credential recorded"
                )
            to_void.append(target_id)
    rows = [
        _Row(0, statement, statement_keys)
        for statement, statement_keys in zip(new, keys, strict=True)
    ]
    client_id = credential.client.pk
    if connection.vendor == "postgresql":
        _insert_postgresql(rows, client_id, stored_at, to_void)
    else:
        _insert_generic(rows, client_id, stored_at, to_void)
    for sha2, (content_type, content) in parts.items():
        Attachment.objects.get_or_create(
            sha2=sha2,
            defaults={"content_type": content_type, "length": len(content), "content": content},
        )
    if credential.can_define:
        _update_canonical(new)


def _timestamp_of(statement: Mapping[str, Any]) -> dt.datetime:
    return xapi.parse_timestamp(statement["timestamp"])


def _insert_generic(
    rows: list[_Row], client_id: int, stored_at: dt.datetime, to_void: list[uuid.UUID]
) -> None:
    new_ids = [uuid.UUID(row.statement["id"]) for row in rows]
    already_voided = set(
        Statement.objects.filter(is_voiding=True, ref_id__in=new_ids).values_list(
            "ref_id", flat=True
        )
    )
    batch_voided = {row.keys.ref_id for row in rows if row.keys.is_voiding}
    objects = []
    relations = []
    for row, statement_uuid in zip(rows, new_ids, strict=True):
        voided = not row.keys.is_voiding and (
            statement_uuid in already_voided or statement_uuid in batch_voided
        )
        objects.append(
            Statement(
                statement_id=statement_uuid,
                stored=stored_at,
                timestamp=_timestamp_of(row.statement),
                actor_key=row.keys.actor_key,
                verb_key=row.keys.verb_key,
                activity_key=row.keys.activity_key,
                registration=row.keys.registration,
                ref_id=row.keys.ref_id,
                is_voiding=row.keys.is_voiding,
                voided=voided,
                client_id=client_id,
                payload=row.statement,
            )
        )
        for kind, key, direct in row.keys.relations:
            relations.append(
                StatementRelation(statement_uuid=statement_uuid, kind=kind, key=key, direct=direct)
            )
    Statement.objects.bulk_create(objects)
    if relations:
        StatementRelation.objects.bulk_create(relations)
    if to_void:
        Statement.objects.filter(statement_id__in=to_void, is_voiding=False).update(voided=True)
    OutboxBatch.objects.create(
        created_at=stored_at, statement_ids=[str(statement_id) for statement_id in new_ids]
    )


def _insert_postgresql(
    rows: list[_Row], client_id: int, stored_at: dt.datetime, to_void: list[uuid.UUID]
) -> None:
    """COPY the rows in, then settle voiding and write the outbox row in one round trip."""
    statement_table = Statement._meta.db_table
    relation_table = StatementRelation._meta.db_table
    outbox_table = OutboxBatch._meta.db_table
    new_ids = [row.statement["id"] for row in rows]
    with connection.cursor() as cursor:
        raw = cursor.cursor  # psycopg's own cursor
        columns = (
            "statement_id, stored, timestamp, actor_key, verb_key, activity_key, "
            "registration, ref_id, is_voiding, voided, client_id, payload"
        )
        with raw.copy(f"COPY {statement_table} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(
                    (
                        row.statement["id"],
                        stored_at,
                        _timestamp_of(row.statement),
                        row.keys.actor_key,
                        row.keys.verb_key,
                        row.keys.activity_key,
                        row.keys.registration,
                        row.keys.ref_id,
                        row.keys.is_voiding,
                        False,
                        client_id,
                        orjson.dumps(row.statement).decode(),
                    )
                )
        relations = [
            (row.statement["id"], kind, key, direct)
            for row in rows
            for kind, key, direct in row.keys.relations
        ]
        if relations:
            with raw.copy(
                f"COPY {relation_table} (statement_uuid, kind, key, direct) FROM STDIN"
            ) as copy:
                for relation in relations:
                    copy.write_row(relation)
        with raw.connection.pipeline():
            # New Statements already voided by a voiding Statement stored earlier (or in this
            # batch): a voiding Statement may arrive before its target.
            raw.execute(
                f"UPDATE {statement_table} AS s SET voided = true "  # noqa: S608
                "WHERE s.statement_id = ANY(%s::uuid[]) AND NOT s.is_voiding AND EXISTS ("
                f"SELECT 1 FROM {statement_table} AS v "
                "WHERE v.is_voiding AND v.ref_id = s.statement_id)",
                [new_ids],
            )
            if to_void:
                raw.execute(
                    f"UPDATE {statement_table} SET voided = true "  # noqa: S608
                    "WHERE statement_id = ANY(%s::uuid[]) AND NOT is_voiding",
                    [[str(target) for target in to_void]],
                )
            raw.execute(
                f"INSERT INTO {outbox_table} (created_at, statement_ids) VALUES (%s, %s::jsonb)",  # noqa: S608
                [stored_at, orjson.dumps(new_ids).decode()],
            )


# --- hand-off to consumers -------------------------------------------------------------------

_last_kick = 0.0
_kick_lock = threading.Lock()
KICK_INTERVAL_SECONDS = 1.0


def _after_store() -> None:
    """Ask a worker to deliver the outbox, at most once a second per process.

    Batches stored in between are picked up by that run (it drains everything pending) or by
    the periodic job registered in ``apps.py``; nothing depends on this call succeeding.
    """
    global _last_kick
    if not getattr(settings, "LRS_OUTBOX_KICK", True):
        return
    moment = time.monotonic()
    with _kick_lock:
        if moment - _last_kick < KICK_INTERVAL_SECONDS:
            return
        _last_kick = moment
    try:
        from seoullearn.lrs.tasks import deliver_outbox

        deliver_outbox.enqueue()
    except Exception:  # the periodic job will deliver
        logger.exception("could not enqueue the LRS outbox delivery")


# --- the platform's own Statements -----------------------------------------------------------


def member_actor(user: Any) -> dict[str, Any]:
    """The only form in which a member appears in a Statement: a pseudonymous account."""
    return {
        "objectType": "Agent",
        "account": {"homePage": settings.SITE_URL.rstrip("/"), "name": str(user.pseudonym)},
    }


def platform_statement_record(
    *,
    user: Any,
    verb_id: str,
    verb_display: Mapping[str, str],
    activity_id: str,
    activity_type: str,
    activity_name: Mapping[str, str],
    result: Mapping[str, Any] | None = None,
    context_extensions: Mapping[str, Any] | None = None,
    registration: uuid.UUID | str | None = None,
    timestamp: dt.datetime | None = None,
    statement_id: uuid.UUID | None = None,
) -> uuid.UUID:
    """Record a Statement about a member with the platform as authority.

    Used by the platform's own apps (mentoring sessions, consulting, lectures); the verbs and
    activity types are those of ``docs/xapi-profile.md``. Passing ``statement_id`` makes the
    call idempotent (the same id with the same content is stored once).
    """
    statement: dict[str, Any] = {
        "id": str(statement_id or uuid.uuid4()),
        "actor": member_actor(user),
        "verb": {"id": verb_id, "display": dict(verb_display)},
        "object": {
            "objectType": "Activity",
            "id": activity_id,
            "definition": {"type": activity_type, "name": dict(activity_name)},
        },
    }
    if result:
        statement["result"] = dict(result)
    from seoullearn.lrs.profile import PROFILE_ID

    context: dict[str, Any] = {
        "platform": "Seoul Learn",
        "language": "ko-KR",
        "contextActivities": {"category": [{"objectType": "Activity", "id": PROFILE_ID}]},
    }
    if registration:
        context["registration"] = str(registration)
    if context_extensions:
        context["extensions"] = dict(context_extensions)
    statement["context"] = context
    if timestamp is not None:
        statement["timestamp"] = xapi.format_timestamp(timestamp)
    try:
        xapi.validate_statement(statement, xapi.V2)
    except xapi.XAPIError as exc:
        raise InvalidInput(str(exc), code="invalid_statement") from exc
    client = platform_client()
    credential = Credential(client=client, scopes=frozenset(client.scopes))
    ids = statements_store(
        statements=[statement], credential=credential, version=xapi.V2, validated=True
    )
    return uuid.UUID(ids[0])


# --- documents (State, Activity Profile, Agent Profile) --------------------------------------


@dataclass(frozen=True)
class DocumentScope:
    kind: str
    activity_id: str = ""
    agent_key: str = ""
    registration: str = ""

    def filter(self) -> Q:
        return Q(
            kind=self.kind,
            activity_id=self.activity_id,
            agent_key=self.agent_key,
            registration=self.registration,
        )


def _etag(content: bytes) -> str:
    return hashlib.sha1(content).hexdigest()  # noqa: S324  # required by Communication 3.1


def _check_preconditions(
    current: Document | None, if_match: str | None, if_none_match: str | None
) -> None:
    if if_match is not None:
        tags = [tag.strip().removeprefix("W/").strip('"') for tag in if_match.split(",")]
        if current is None or ("*" not in tags and current.etag not in tags):
            raise PreconditionFailed("If-Match does not match the document's current ETag")
    if if_none_match is not None:
        tags = [tag.strip().removeprefix("W/").strip('"') for tag in if_none_match.split(",")]
        if current is not None and ("*" in tags or current.etag in tags):
            raise PreconditionFailed("If-None-Match: the document already exists")


def document_save(
    *,
    scope: DocumentScope,
    document_id: str,
    content: bytes,
    content_type: str,
    merge: bool,
    if_match: str | None,
    if_none_match: str | None,
    require_precondition: bool,
    client: LRSClient | None,
    owner_only: bool = False,
) -> Document:
    """PUT (replace) or POST (merge JSON objects) a document, with the concurrency rules.

    ``owner_only``: the caller may change only documents its own credential wrote.
    """
    with transaction.atomic():
        current = (
            Document.objects.select_for_update()
            .filter(scope.filter(), document_id=document_id)
            .first()
        )
        if owner_only and current is not None and current.client_id != getattr(client, "pk", None):
            raise Forbidden("this document was written with another credential")
        _check_preconditions(current, if_match, if_none_match)
        if (
            require_precondition
            and current is not None
            and if_match is None
            and if_none_match is None
        ):
            raise ConflictError(
                "the document already exists: check its current state and send If-Match with "
                "its current ETag to replace it"
            )
        is_json = content_type.split(";")[0].strip().lower() == "application/json"
        if merge and current is not None:
            current_is_json = (
                current.content_type.split(";")[0].strip().lower() == "application/json"
            )
            if not (is_json and current_is_json):
                raise BadRequest(
                    "POST merges JSON objects only: both documents must be application/json"
                )
            try:
                old = orjson.loads(bytes(current.content))
                new = orjson.loads(content)
            except orjson.JSONDecodeError as exc:
                raise BadRequest("a document to merge is not valid JSON") from exc
            if not isinstance(old, dict) or not isinstance(new, dict):
                raise BadRequest("POST merges JSON objects only")
            old.update(new)
            content = orjson.dumps(old)
        elif merge and is_json:
            try:
                parsed = orjson.loads(content)
            except orjson.JSONDecodeError as exc:
                raise BadRequest(
                    "the document is declared application/json but is not JSON"
                ) from exc
            if not isinstance(parsed, dict):
                raise BadRequest("POST of an application/json document needs a JSON object")
        updated = now()
        if current is None:
            current = Document(
                kind=scope.kind,
                activity_id=scope.activity_id,
                agent_key=scope.agent_key,
                registration=scope.registration,
                document_id=document_id,
            )
        current.content = content
        current.content_type = content_type or "application/octet-stream"
        current.etag = _etag(content)
        current.updated = updated
        current.client = client
        current.save()
        return current


def document_delete(
    *,
    scope: DocumentScope,
    document_id: str | None,
    if_match: str | None,
    owner: LRSClient | None = None,
) -> int:
    """Delete one document or all in the scope; with ``owner``, only that credential's."""
    with transaction.atomic():
        query = Document.objects.select_for_update().filter(scope.filter())
        if owner is not None:
            query = query.filter(client=owner)
        if document_id is not None:
            current = query.filter(document_id=document_id).first()
            if if_match is not None:
                _check_preconditions(current, if_match, None)
            if current is None:
                return 0
            current.delete()
            return 1
        deleted, _ = query.delete()
        return deleted
