from __future__ import annotations

import uuid
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from seoullearn.core.fields import EncryptedTextField


class BaseModel(models.Model):
    """Integer primary key inside the database, a UUID for URLs and APIs, timestamps."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class AccessLogQuerySet(models.QuerySet["AccessLog"]):
    def update(self, **kwargs: Any) -> int:
        raise PermissionError("the access log is append-only")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise PermissionError("the access log is append-only; use AccessLog.purge_before()")


class AccessLog(models.Model):
    """Append-only record of every read, export and download of someone's personal data."""

    class Action(models.TextChoices):
        VIEW = "view", _("열람")
        DOWNLOAD = "download", _("내려받기")
        EXPORT = "export", _("내보내기")
        SEARCH = "search", _("검색")
        UPDATE = "update", _("수정")

    occurred_at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="who read (null for a machine client, named in actor_label)",
    )
    actor_label = models.CharField(max_length=150)
    actor_role = models.CharField(max_length=40)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="whose personal data was read (null for an export of many)",
    )
    subject_label = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=20, choices=Action.choices)
    purpose = models.CharField(max_length=200)
    object_type = models.CharField(max_length=80, blank=True)
    object_id = models.CharField(max_length=80, blank=True)
    detail = models.CharField(max_length=300, blank=True)

    objects: ClassVar[AccessLogQuerySet] = AccessLogQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["subject", "-occurred_at"]),
            models.Index(fields=["actor", "-occurred_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d} {self.actor_label} {self.action} {self.subject_label}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise PermissionError("the access log is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise PermissionError("the access log is append-only")

    @classmethod
    def purge_before(cls, cutoff: Any) -> int:
        """Remove entries older than the retention period (the only deletion allowed)."""
        qs: models.QuerySet[AccessLog] = models.QuerySet(model=cls).filter(occurred_at__lt=cutoff)
        return int(qs._raw_delete(qs.db))  # type: ignore[attr-defined]


class ScheduledJobRun(models.Model):
    """One row per (job, time slot): the scheduler enqueues a periodic job once per slot even
    with several scheduler processes, because the insert is unique."""

    job = models.CharField(max_length=100)
    slot = models.CharField(max_length=40)
    enqueued_at = models.DateTimeField(auto_now_add=True)
    task_result_id = models.CharField(max_length=64, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["job", "slot"], name="uniq_job_slot")]

    def __str__(self) -> str:
        return f"{self.job}@{self.slot}"


class OutboundMessage(BaseModel):
    """A message sent to a person through a channel. The ``sms_sandbox`` channel only records
    here (it stands where an SMS gateway would be); other channels record and deliver."""

    channel = models.CharField(max_length=30)
    recipient = EncryptedTextField()
    subject = models.CharField(max_length=200, blank=True)
    body = EncryptedTextField()
    purpose = models.CharField(max_length=60, db_index=True)
    delivered = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.channel}: {self.subject or self.purpose}"
