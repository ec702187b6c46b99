from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from seoullearn.core.models import BaseModel
from seoullearn.core.timeutil import today
from seoullearn.programmes.models import Programme


class Membership(BaseModel):
    """Seoul Learn membership of a learner in one programme, with a term.

    ``active`` and ``grace`` (re-verification overdue, services continue until ``grace_until``)
    count as current; ``expired`` and ``revoked`` end it and release what it held (seats,
    matches) through the ``membership_ended`` signal.
    """

    class Status(models.TextChoices):
        ACTIVE = "active", _("이용 중")
        GRACE = "grace", _("유예 기간")
        EXPIRED = "expired", _("만료")
        REVOKED = "revoked", _("자격 취소")

    CURRENT = (Status.ACTIVE, Status.GRACE)

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="memberships"
    )
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="memberships")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ACTIVE)
    starts_on = models.DateField(_("시작일"))
    ends_on = models.DateField(_("만료일"))
    grace_until = models.DateField(_("유예 종료일"), null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.CharField(max_length=300, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-starts_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "programme"],
                condition=models.Q(status__in=["active", "grace"]),
                name="one_current_membership",
            ),
        ]
        indexes = [models.Index(fields=["programme", "status"])]

    def __str__(self) -> str:
        return f"{self.user} · {self.programme} · {self.status}"

    @property
    def is_current(self) -> bool:
        return self.status in self.CURRENT and self.ends_on >= today()
