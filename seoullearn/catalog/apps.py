from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "seoullearn.catalog"
    label = "catalog"
    verbose_name = _("콘텐츠 카탈로그")
