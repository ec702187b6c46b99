from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MentoringConfig(AppConfig):
    name = "seoullearn.mentoring"
    label = "mentoring"
    verbose_name = _("멘토링")

    def ready(self) -> None:
        from seoullearn.core import navigation
        from seoullearn.core.roles import Role
        from seoullearn.eligibility.signals import membership_ended

        navigation.register(_("멘토 활동"), "mentoring:mentor_home", roles={Role.MENTOR}, order=30)
        navigation.register(_("멘토링"), "mentoring:mentee_home", roles={Role.LEARNER}, order=40)
        navigation.register(
            _("멘토 추천"),
            "mentoring:coordinator_home",
            roles={Role.UNIVERSITY_COORDINATOR},
            order=30,
        )
        navigation.register(
            _("멘토링 운영"), "mentoring_ops:pipeline", roles={Role.OPERATOR}, order=50
        )
        membership_ended.connect(_end_matches, dispatch_uid="mentoring_membership_ended")


def _end_matches(sender: Any, membership: Any, reason: str = "", **kwargs: Any) -> None:
    from seoullearn.mentoring.services import matches_end_for_member

    matches_end_for_member(user=membership.user, reason=reason or "membership ended")
