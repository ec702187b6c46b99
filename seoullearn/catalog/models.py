from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from seoullearn.core.models import BaseModel
from seoullearn.programmes.models import Programme


def _english() -> bool:
    return (get_language() or "ko").startswith("en")


class Track(BaseModel):
    """A track of offerings (초등, 중학, 고등, 검정고시 = curricular; 자격증, 독서 = not).

    ``slot_group`` ties the track to a group of the selection policy (curricular,
    certificate, reading); the policy's caps apply per group.
    """

    class Kind(models.TextChoices):
        CURRICULAR = "curricular", _("교과")
        NON_CURRICULAR = "non_curricular", _("비교과")

    code = models.SlugField(_("코드"), unique=True)
    name_ko = models.CharField(_("이름(한국어)"), max_length=50)
    name_en = models.CharField(_("이름(영어)"), max_length=50)
    kind = models.CharField(_("구분"), max_length=20, choices=Kind.choices)
    slot_group = models.SlugField(_("선택 그룹"))
    order = models.PositiveSmallIntegerField(_("순서"), default=0)

    class Meta:
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name_en if _english() else self.name_ko


class Provider(BaseModel):
    """A content provider company (교육업체) whose platform members learn on."""

    code = models.SlugField(_("코드"), unique=True)
    name_ko = models.CharField(_("이름(한국어)"), max_length=100)
    name_en = models.CharField(_("이름(영어)"), max_length=100)
    homepage = models.URLField(_("누리집"), blank=True)
    is_active = models.BooleanField(_("사용"), default=True)
    description_ko = models.TextField(_("소개(한국어)"), blank=True)
    description_en = models.TextField(_("소개(영어)"), blank=True)
    logo_text = models.CharField(
        _("로고 글자"), max_length=6, blank=True, help_text=_("로고에 표시할 짧은 글자(6자 이내)")
    )
    brand_color = models.CharField(
        _("로고 색"),
        max_length=7,
        default="#0b50d0",
        validators=[RegexValidator(r"^#[0-9a-fA-F]{6}$", _("#RRGGBB 형식으로 입력해 주세요."))],
    )

    class Meta:
        ordering = ["name_ko"]

    def __str__(self) -> str:
        return self.name_en if _english() else self.name_ko

    @property
    def description(self) -> str:
        return (self.description_en if _english() else self.description_ko) or self.description_ko


class Offering(BaseModel):
    """What a provider offers in one track (e.g. 밀크T × 중학)."""

    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="offerings")
    track = models.ForeignKey(Track, on_delete=models.PROTECT, related_name="offerings")
    title_ko = models.CharField(_("과정명(한국어)"), max_length=120)
    title_en = models.CharField(_("과정명(영어)"), max_length=120)
    description_ko = models.TextField(_("설명(한국어)"), blank=True)
    description_en = models.TextField(_("설명(영어)"), blank=True)
    target_levels = models.JSONField(
        _("대상 학교급"), default=list, blank=True, help_text=_("비어 있으면 모든 학교급")
    )
    subjects = models.JSONField(_("과목"), default=list, blank=True)
    is_active = models.BooleanField(_("신청 가능"), default=True)
    order = models.PositiveSmallIntegerField(_("순서"), default=0)

    class Meta:
        ordering = ["track__order", "order", "provider__name_ko"]
        constraints = [
            models.UniqueConstraint(fields=["provider", "track"], name="uniq_offering_track")
        ]

    def __str__(self) -> str:
        return self.title_en if _english() else self.title_ko

    @property
    def title(self) -> str:
        return self.title_en if _english() else self.title_ko

    @property
    def description(self) -> str:
        return (self.description_en if _english() else self.description_ko) or self.description_ko


def default_groups() -> list[dict[str, Any]]:
    return [
        {"code": "curricular", "cap": 1, "label_ko": "교과", "label_en": "curricular"},
        {"code": "certificate", "cap": 1, "label_ko": "자격증", "label_en": "certificate"},
        {"code": "reading", "cap": None, "label_ko": "독서", "label_en": "reading"},
    ]


class SelectionPolicy(BaseModel):
    """The selection rules of one programme, edited by operators (the city changes them yearly).

    Evaluated by the pure module ``catalog.policy``; ``groups`` holds the cap of each slot group
    (``null`` = no own cap, only ``max_total``), ``switch_windows`` a list of
    ``{"starts_on": "YYYY-MM-DD", "ends_on": "YYYY-MM-DD"}`` (empty = switching all year).
    Seat reclamation settings live here too so that operators edit one page per programme.
    """

    programme = models.OneToOneField(
        Programme, on_delete=models.CASCADE, related_name="selection_policy"
    )
    max_total = models.PositiveSmallIntegerField(
        _("최대 선택 수"), default=3, validators=[MinValueValidator(1)]
    )
    groups = models.JSONField(_("그룹별 선택 한도"), default=default_groups)
    restrict_levels = models.BooleanField(_("대상 학교급 제한"), default=True)
    switch_windows = models.JSONField(_("변경 기간"), default=list, blank=True)
    max_switches = models.PositiveSmallIntegerField(_("기간당 최대 변경 횟수"), default=1)
    switch_period_days = models.PositiveSmallIntegerField(
        _("변경 횟수 기간(일)"), default=30, validators=[MinValueValidator(1)]
    )
    cooldown_days = models.PositiveSmallIntegerField(_("변경 대기 기간(일)"), default=14)
    idle_days = models.PositiveSmallIntegerField(
        _("미사용 기준(일)"), default=30, validators=[MinValueValidator(1)]
    )
    idle_grace_days = models.PositiveSmallIntegerField(_("회수 유예(일)"), default=7)

    class Meta:
        verbose_name = _("선택 정책")

    def __str__(self) -> str:
        return f"{self.programme} policy"

    def windows(self) -> list[tuple[dt.date, dt.date]]:
        return [
            (dt.date.fromisoformat(w["starts_on"]), dt.date.fromisoformat(w["ends_on"]))
            for w in self.switch_windows or []
        ]
