import datetime as dt

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "seoullearn.accounts"
    label = "accounts"
    verbose_name = _("계정")

    def ready(self) -> None:
        from seoullearn.accounts.tasks import expire_guardian_links
        from seoullearn.core import navigation, scheduler
        from seoullearn.core.roles import Role

        scheduler.register(
            "accounts.expire_guardian_links", expire_guardian_links, dt.timedelta(hours=1)
        )
        navigation.register(
            _("보호자 동의"), "accounts:guardian_invite", roles={Role.LEARNER}, order=80
        )
        navigation.register(
            _("자녀 현황"), "accounts:guardian_home", roles={Role.GUARDIAN}, order=10
        )
        navigation.register(
            _("동의 관리"),
            "accounts:consents",
            roles={Role.LEARNER, Role.GUARDIAN, Role.MENTOR},
            order=90,
        )
        navigation.register(
            _("사용자"), "accounts_backoffice:users", roles={Role.OPERATOR}, order=80
        )
        navigation.register(
            _("개인정보 접근 기록"),
            "accounts_backoffice:access_log",
            roles={Role.AUDITOR, Role.OPERATOR},
            order=90,
        )
        navigation.register(
            _("문자 발송함(샌드박스)"),
            "accounts_backoffice:outbox",
            roles={Role.OPERATOR},
            order=95,
        )
