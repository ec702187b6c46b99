from __future__ import annotations

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from seoullearn.core.models import BaseModel


class Jurisdiction(BaseModel):
    """A city or province running programmes on this deployment (Seoul by default)."""

    slug = models.SlugField(unique=True)
    name_ko = models.CharField(max_length=50)
    name_en = models.CharField(max_length=50)

    def __str__(self) -> str:
        return self.name_en if (get_language() or "ko").startswith("en") else self.name_ko


class District(models.Model):
    """An administrative district of a jurisdiction (Seoul's 25 자치구)."""

    jurisdiction = models.ForeignKey(
        Jurisdiction, on_delete=models.CASCADE, related_name="districts"
    )
    code = models.CharField(max_length=10, unique=True)
    slug = models.SlugField()
    name_ko = models.CharField(max_length=50)
    name_en = models.CharField(max_length=50)
    lat = models.FloatField()
    lon = models.FloatField()

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name_en if (get_language() or "ko").startswith("en") else self.name_ko


class Programme(BaseModel):
    """One year of a jurisdiction's programme (e.g. 서울런 2026). Rules that operators change
    each year hang off it in the domain apps (eligibility policy, selection policy, ...)."""

    jurisdiction = models.ForeignKey(
        Jurisdiction, on_delete=models.PROTECT, related_name="programmes"
    )
    code = models.SlugField(unique=True)
    name = models.CharField(_("사업명"), max_length=100)
    year = models.PositiveSmallIntegerField(_("연도"))
    starts_on = models.DateField(_("시작일"))
    ends_on = models.DateField(_("종료일"))
    is_active = models.BooleanField(_("운영 중"), default=True)

    class Meta:
        ordering = ["-year", "code"]
        constraints = [
            models.UniqueConstraint(fields=["jurisdiction", "year"], name="uniq_programme_year"),
            models.CheckConstraint(
                condition=models.Q(ends_on__gt=models.F("starts_on")), name="programme_dates"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class BudgetLine(BaseModel):
    """A budget line of a programme in KRW (content, mentoring, platform, ...)."""

    class Kind(models.TextChoices):
        CONTENT = "content", _("콘텐츠")
        MENTORING = "mentoring", _("멘토링")
        PLATFORM = "platform", _("플랫폼")
        PROGRAMMES = "programmes", _("자체 프로그램")

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="budget_lines")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    amount_krw = models.BigIntegerField(_("예산(원)"))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["programme", "kind"], name="uniq_budget_kind"),
            models.CheckConstraint(condition=models.Q(amount_krw__gte=0), name="budget_nonneg"),
        ]
