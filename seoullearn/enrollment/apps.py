import datetime as dt

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EnrollmentConfig(AppConfig):
    name = "seoullearn.enrollment"
    label = "enrollment"
    verbose_name = _("수강 신청·좌석")

    def ready(self) -> None:
        from seoullearn.core import navigation, scheduler
        from seoullearn.core.roles import Role
        from seoullearn.enrollment import receivers, tasks

        receivers.connect()
        scheduler.register(
            "enrollment.reclaim_idle_seats", tasks.reclaim_idle_seats, dt.timedelta(days=1)
        )
        scheduler.register("enrollment.accrue_spend", tasks.accrue_spend, dt.timedelta(days=1))
        scheduler.register("enrollment.pull_usage", tasks.pull_usage, dt.timedelta(days=1))
        navigation.register(
            _("학습 콘텐츠 선택"), "enrollment:offerings", roles={Role.LEARNER}, order=20
        )
        navigation.register(
            _("나의 학습 사이트"), "enrollment:my_sites", roles={Role.LEARNER}, order=21
        )
        navigation.register(
            _("좌석·계약"), "enrollment_bo:seat_use", roles={Role.OPERATOR}, order=41
        )
        navigation.register(
            _("콘텐츠 예산"), "enrollment_bo:budget", roles={Role.OPERATOR}, order=42
        )
        navigation.register(
            _("업체 포털"), "enrollment:portal", roles={Role.PROVIDER_STAFF}, order=10
        )
