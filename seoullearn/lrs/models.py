"""The learning record store: credentials, Statements and their query keys, documents, the
outbox to downstream consumers.

A Statement is stored once, as JSON exactly as the LRS returns it (JSONB on PostgreSQL), with
denormalised 128-bit keys (see ``xapi.key_uuid``) for the query paths the xAPI resource and the
platform's readers use: actor, verb, object Activity, registration, stored time. Relations that
are rarer (group members, context Activities, instructor, team, context agents, Agents as
objects, SubStatement contents) go to ``StatementRelation`` rows so that the broad
``related_agents`` / ``related_activities`` filters stay indexed too.
"""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from seoullearn.core.models import BaseModel

SCOPES: tuple[str, ...] = (
    "statements/write",
    "statements/read",
    "statements/read/mine",
    "state",
    "profile",
    "define",
    "all/read",
    "all",
)
DEFAULT_PROVIDER_SCOPES: tuple[str, ...] = (
    "statements/write",
    "statements/read/mine",
    "state",
    "profile",
)


class LRSClient(BaseModel):
    """A credential that may call the /xapi/ resources: HTTP Basic key and secret (only a
    SHA-256 hash of the high-entropy secret is kept), optionally linked to the provider's
    OAuth2 application so that bearer tokens of that application act as the same client."""

    name = models.CharField(_("이름"), max_length=100)
    provider = models.ForeignKey(
        "catalog.Provider",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="lrs_clients",
        verbose_name=_("교육업체"),
    )
    key = models.CharField(max_length=40, unique=True)
    secret_hash = models.CharField(max_length=64)
    scopes = models.JSONField(default=list)
    is_platform = models.BooleanField(default=False)
    # OAuth2 client-credentials application whose client_id is this client's key.
    oauth_enabled = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    rotated_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_reason = models.CharField(max_length=300, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_platform"],
                condition=models.Q(is_platform=True),
                name="lrs_one_platform_client",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @staticmethod
    def hash_secret(secret: str) -> str:
        return hashlib.sha256(secret.encode()).hexdigest()

    @staticmethod
    def generate_key() -> str:
        return "lrs_" + secrets.token_hex(12)

    @staticmethod
    def generate_secret() -> str:
        return secrets.token_urlsafe(32)

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    def check_secret(self, secret: str) -> bool:
        return secrets.compare_digest(self.secret_hash, self.hash_secret(secret))

    def authority(self) -> dict[str, object]:
        """The Agent the LRS writes as ``authority`` on Statements sent with this credential.

        Identified by the client's stable public id, so rotating the secret keeps authorship
        (and ``statements/read/mine``) intact.
        """
        return {
            "objectType": "Agent",
            "name": self.name,
            "account": {
                "homePage": settings.SITE_URL.rstrip("/") + "/xapi/clients",
                "name": str(self.public_id),
            },
        }


class Statement(models.Model):
    """One stored Statement. ``payload`` is what GET returns in ``exact`` format."""

    statement_id = models.UUIDField(unique=True)
    stored = models.DateTimeField()
    timestamp = models.DateTimeField()
    actor_key = models.UUIDField()
    verb_key = models.UUIDField()
    activity_key = models.UUIDField(null=True)
    registration = models.UUIDField(null=True)
    # StatementRef target (voiding Statements and other targeting Statements).
    ref_id = models.UUIDField(null=True)
    is_voiding = models.BooleanField(default=False)
    voided = models.BooleanField(default=False)
    client = models.ForeignKey(
        LRSClient, null=True, on_delete=models.PROTECT, related_name="+", db_constraint=False
    )
    payload = models.JSONField()

    class Meta:
        indexes = [
            models.Index(fields=["actor_key", "stored", "id"], name="lrs_stmt_actor"),
            models.Index(fields=["activity_key", "stored", "id"], name="lrs_stmt_activity"),
            models.Index(
                fields=["registration", "stored", "id"],
                name="lrs_stmt_registration",
                condition=models.Q(registration__isnull=False),
            ),
            models.Index(fields=["stored", "id"], name="lrs_stmt_stored"),
            models.Index(fields=["client", "stored"], name="lrs_stmt_client"),
            models.Index(
                fields=["ref_id"], name="lrs_stmt_ref", condition=models.Q(ref_id__isnull=False)
            ),
        ]

    def __str__(self) -> str:
        return str(self.statement_id)


class StatementRelation(models.Model):
    """An Agent or Activity a Statement relates to beyond its actor and object Activity.

    ``direct`` marks relations the plain ``agent`` filter matches (members of an actor or
    object Group, an Agent or Group as object); the others only match ``related_agents`` /
    ``related_activities``.
    """

    class Kind(models.IntegerChoices):
        AGENT = 1
        ACTIVITY = 2

    statement_uuid = models.UUIDField()
    kind = models.PositiveSmallIntegerField(choices=Kind.choices)
    key = models.UUIDField()
    direct = models.BooleanField(default=False)

    class Meta:
        indexes = [models.Index(fields=["key", "kind", "direct"], name="lrs_rel_key")]

    def __str__(self) -> str:
        return f"{self.statement_uuid} {self.kind} {self.key}"


class Attachment(models.Model):
    """Raw attachment data, stored once per SHA-2 and referenced from Statements' payloads."""

    sha2 = models.CharField(max_length=128, unique=True)
    content_type = models.CharField(max_length=255)
    length = models.PositiveBigIntegerField()
    content = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.sha2[:16]


class Activity(models.Model):
    """The LRS's canonical Activity definition (Activities resource, ``canonical`` format)."""

    activity_id = models.TextField(unique=True)
    definition = models.JSONField(default=dict)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "activities"

    def __str__(self) -> str:
        return self.activity_id


class Verb(models.Model):
    """Canonical display of a Verb (``canonical`` format), merged from the Statements seen."""

    verb_id = models.TextField(unique=True)
    display = models.JSONField(default=dict)

    def __str__(self) -> str:
        return self.verb_id


class Document(models.Model):
    """A State, Activity Profile or Agent Profile document."""

    class Kind(models.TextChoices):
        STATE = "state", _("상태")
        ACTIVITY_PROFILE = "activity_profile", _("활동 프로필")
        AGENT_PROFILE = "agent_profile", _("에이전트 프로필")

    kind = models.CharField(max_length=20, choices=Kind.choices)
    activity_id = models.TextField(blank=True, default="")
    agent_key = models.CharField(max_length=36, blank=True, default="")
    registration = models.CharField(max_length=36, blank=True, default="")
    document_id = models.TextField()
    content = models.BinaryField()
    content_type = models.CharField(max_length=255)
    etag = models.CharField(max_length=40)
    updated = models.DateTimeField()
    client = models.ForeignKey(
        LRSClient, null=True, on_delete=models.SET_NULL, related_name="+", db_constraint=False
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "activity_id", "agent_key", "registration", "document_id"],
                name="lrs_document_unique",
            )
        ]
        indexes = [
            models.Index(
                fields=["kind", "activity_id", "agent_key", "registration", "updated"],
                name="lrs_document_scope",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.document_id}"


class OutboxBatch(models.Model):
    """Statements stored by one request, to hand to downstream consumers.

    Written in the same transaction as the Statements, so a batch is in the outbox if and only
    if its Statements are stored. Each consumer records its own deliveries.
    """

    created_at = models.DateTimeField(db_index=True)
    statement_ids = models.JSONField()

    def __str__(self) -> str:
        return f"outbox {self.pk} ({len(self.statement_ids)})"


class OutboxDelivery(models.Model):
    batch = models.ForeignKey(OutboxBatch, on_delete=models.CASCADE, related_name="deliveries")
    consumer = models.CharField(max_length=100)
    delivered_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["batch", "consumer"], name="lrs_delivery_once")
        ]
        indexes = [models.Index(fields=["consumer", "batch"], name="lrs_delivery_consumer")]

    def __str__(self) -> str:
        return f"{self.consumer}: {self.batch_id}"
