from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EnrollmentConfig(AppConfig):
    name = "seoullearn.enrollment"
    label = "enrollment"
    verbose_name = _("수강 신청")
