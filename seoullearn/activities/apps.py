from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActivitiesConfig(AppConfig):
    name = "seoullearn.activities"
    label = "activities"
    verbose_name = _("자체 프로그램")
