from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BackofficeConfig(AppConfig):
    name = "seoullearn.backoffice"
    label = "backoffice"
    verbose_name = _("운영")

    def ready(self) -> None:
        from seoullearn.core import navigation
        from seoullearn.core.roles import Role

        navigation.register(_("운영 홈"), "backoffice:home", roles={Role.OPERATOR}, order=1)
