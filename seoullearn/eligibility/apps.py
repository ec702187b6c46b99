import datetime as dt

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EligibilityConfig(AppConfig):
    name = "seoullearn.eligibility"
    label = "eligibility"
    verbose_name = _("자격·회원")

    def ready(self) -> None:
        from seoullearn.core import navigation, scheduler
        from seoullearn.core.roles import Role
        from seoullearn.eligibility import checks, receivers, tasks  # noqa: F401

        scheduler.register(
            "eligibility.send_reverification_reminders",
            tasks.send_reverification_reminders,
            dt.timedelta(days=1),
        )
        scheduler.register(
            "eligibility.advance_memberships", tasks.advance_memberships, dt.timedelta(hours=1)
        )
        scheduler.register("eligibility.purge_exports", tasks.purge_exports, dt.timedelta(hours=1))
        receivers.connect()

        navigation.register(
            _("서울런 신청·회원"), "eligibility:home", roles={Role.LEARNER}, order=10
        )
        navigation.register(
            _("자녀의 서울런 신청"), "eligibility:children", roles={Role.GUARDIAN}, order=10
        )
        navigation.register(
            _("신청 심사"), "eligibility_backoffice:queue", roles={Role.OPERATOR}, order=10
        )
        navigation.register(
            _("회원 검색"), "eligibility_backoffice:members", roles={Role.OPERATOR}, order=11
        )
        navigation.register(
            _("자격 정책"), "eligibility_backoffice:policy", roles={Role.OPERATOR}, order=12
        )
