"""The platform's roles. Defined in core so every app can check them without importing accounts."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    LEARNER = "learner", _("학습자")
    GUARDIAN = "guardian", _("보호자")
    MENTOR = "mentor", _("멘토")
    UNIVERSITY_COORDINATOR = "university_coordinator", _("대학 담당자")
    CONSULTANT = "consultant", _("컨설턴트")
    PROVIDER_STAFF = "provider_staff", _("교육업체 담당자")
    OPERATOR = "operator", _("운영자")
    AUDITOR = "auditor", _("감사자")


# Roles that must use multi-factor authentication before they can see anything.
MFA_REQUIRED_ROLES: frozenset[str] = frozenset({Role.OPERATOR, Role.AUDITOR})
# Roles that may sign themselves up; every other role is created by an operator.
SELF_SIGNUP_ROLES: frozenset[str] = frozenset({Role.LEARNER, Role.GUARDIAN, Role.MENTOR})
