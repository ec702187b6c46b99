import datetime as dt

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LrsConfig(AppConfig):
    name = "seoullearn.lrs"
    label = "lrs"
    verbose_name = _("학습기록저장소")

    def ready(self) -> None:
        from seoullearn.core import navigation, scheduler
        from seoullearn.core.roles import Role
        from seoullearn.lrs import tasks

        scheduler.register("lrs.deliver_outbox", tasks.deliver_outbox, dt.timedelta(minutes=1))
        scheduler.register("lrs.prune_outbox", tasks.prune_outbox, dt.timedelta(days=1))
        navigation.register(
            _("xAPI 자격 증명"), "lrs_backoffice:clients", roles={Role.OPERATOR}, order=70
        )
