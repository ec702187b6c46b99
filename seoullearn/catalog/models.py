from __future__ import annotations

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from seoullearn.core.models import BaseModel


class Provider(BaseModel):
    """A content provider company (교육업체) whose platform members learn on."""

    code = models.SlugField(_("코드"), unique=True)
    name_ko = models.CharField(_("이름(한국어)"), max_length=100)
    name_en = models.CharField(_("이름(영어)"), max_length=100)
    homepage = models.URLField(_("누리집"), blank=True)
    is_active = models.BooleanField(_("사용"), default=True)

    class Meta:
        ordering = ["name_ko"]

    def __str__(self) -> str:
        return self.name_en if (get_language() or "ko").startswith("en") else self.name_ko
