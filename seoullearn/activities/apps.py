import datetime as dt

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActivitiesConfig(AppConfig):
    name = "seoullearn.activities"
    label = "activities"
    verbose_name = _("자체 프로그램")

    def ready(self) -> None:
        from seoullearn.activities import tasks
        from seoullearn.core import navigation, scheduler
        from seoullearn.core.roles import Role

        _subscribe_to_the_record_store()
        _release_when_membership_ends()
        scheduler.register(
            "activities.reminders", tasks.send_reminders, every=dt.timedelta(minutes=15)
        )
        navigation.register(_("상담·특강·진로"), "activities:home", roles={Role.LEARNER}, order=40)
        navigation.register(
            _("내 상담 일정"), "activities:consultant_home", roles={Role.CONSULTANT}, order=20
        )
        navigation.register(
            _("자체 프로그램 운영"), "activities_backoffice:home", roles={Role.OPERATOR}, order=60
        )


def _subscribe_to_the_record_store() -> None:
    """Lecture attendance reported as xAPI statements (when the record store is installed)."""
    import importlib

    try:
        consumers = importlib.import_module("seoullearn.lrs.consumers")
    except ModuleNotFoundError:
        return
    from seoullearn.activities.services import lecture_attendance_from_statements

    consumers.register("activities.lecture_attendance", lecture_attendance_from_statements)


def _release_when_membership_ends() -> None:
    from seoullearn.eligibility.signals import membership_ended

    def release(sender: object, membership: object, reason: str = "", **kwargs: object) -> None:
        from seoullearn.activities.services import membership_ended_release

        membership_ended_release(learner=membership.user, reason=str(reason))  # type: ignore[attr-defined]

    membership_ended.connect(
        release, dispatch_uid="activities.membership_ended_release", weak=False
    )
