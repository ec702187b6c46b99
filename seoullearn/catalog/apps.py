from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "seoullearn.catalog"
    label = "catalog"
    verbose_name = _("콘텐츠 카탈로그")

    def ready(self) -> None:
        from seoullearn.core import navigation
        from seoullearn.core.roles import Role

        navigation.register(
            _("콘텐츠 관리"), "catalog_bo:provider_list", roles={Role.OPERATOR}, order=40
        )
