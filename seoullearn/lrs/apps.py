from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LrsConfig(AppConfig):
    name = "seoullearn.lrs"
    label = "lrs"
    verbose_name = _("학습기록저장소")
