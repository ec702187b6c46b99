import datetime as dt

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LearningConfig(AppConfig):
    name = "seoullearn.learning"
    label = "learning"
    verbose_name = _("학습 관리")

    def ready(self) -> None:
        from seoullearn.core import navigation, scheduler
        from seoullearn.core.roles import Role
        from seoullearn.learning import tasks

        scheduler.register(
            "learning.weekly_plans", tasks.generate_weekly_plans, every=dt.timedelta(hours=6)
        )
        scheduler.register(
            "learning.plan_reminders", tasks.send_plan_reminders, every=dt.timedelta(hours=1)
        )
        navigation.register(_("나의 학습"), "learning:home", roles={Role.LEARNER}, order=10)
        navigation.register(_("포트폴리오"), "learning:portfolio", roles={Role.LEARNER}, order=30)
        navigation.register(
            _("자녀 학습 현황"), "learning:guardian_home", roles={Role.GUARDIAN}, order=10
        )
        navigation.register(
            _("멘티 학습 계획"), "learning:mentor_home", roles={Role.MENTOR}, order=30
        )
        navigation.register(
            _("학습 관리 운영"), "learning_backoffice:home", roles={Role.OPERATOR}, order=61
        )
