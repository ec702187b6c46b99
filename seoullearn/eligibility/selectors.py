"""Reads of eligibility data, with the object-level permission checks that guard them."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from seoullearn.accounts.models import SchoolLevel
from seoullearn.core.errors import NotFound, PermissionDenied
from seoullearn.core.roles import Role
from seoullearn.core.timeutil import today
from seoullearn.eligibility import rules
from seoullearn.eligibility.models import (
    Application,
    EligibilityPolicy,
    Evidence,
    Membership,
    category_index,
)
from seoullearn.programmes.models import District, Programme

REVIEWER_ROLES = (Role.OPERATOR,)


# --- policy --------------------------------------------------------------------------------


def known_district_codes(programme: Programme) -> list[str]:
    return list(
        District.objects.filter(jurisdiction_id=programme.jurisdiction_id)
        .order_by("code")
        .values_list("code", flat=True)
    )


def policy_for(programme: Programme) -> rules.Policy:
    """The programme's policy; the defaults (all districts of the jurisdiction) if none is set."""
    stored = EligibilityPolicy.objects.filter(programme=programme).first()
    districts = known_district_codes(programme)
    if stored is None:
        return rules.default_policy(districts)
    return rules.Policy.from_dict(stored.data, known_districts=districts)


def district_names(programme: Programme | None = None) -> dict[str, str]:
    qs = District.objects.all()
    if programme is not None:
        qs = qs.filter(jurisdiction_id=programme.jurisdiction_id)
    return {d.code: str(d) for d in qs}


# --- memberships ---------------------------------------------------------------------------


def active_membership(user: Any, programme: Programme | None = None) -> Membership | None:
    """The learner's current membership (active or in grace), if any."""
    if user is None or not user.is_authenticated:
        return None
    qs = Membership.objects.select_related("programme").filter(
        user=user, status__in=Membership.CURRENT
    )
    if programme is not None:
        qs = qs.filter(programme=programme)
    return qs.order_by("-starts_on").first()


def memberships_of(user: Any) -> QuerySet[Membership]:
    return Membership.objects.select_related("programme").filter(user=user).order_by("-starts_on")


def membership_for_owner(user: Any, public_id: Any) -> Membership:
    membership = Membership.objects.select_related("programme").filter(public_id=public_id).first()
    if membership is None or membership.user_id != getattr(user, "pk", None):
        raise NotFound(_("회원 자격을 찾을 수 없습니다."))
    return membership


def membership_for_operator(user: Any, public_id: Any) -> Membership:
    _require_reviewer(user)
    membership = (
        Membership.objects.select_related("programme", "user", "application", "ended_by")
        .filter(public_id=public_id)
        .first()
    )
    if membership is None:
        raise NotFound(_("회원 자격을 찾을 수 없습니다."))
    return membership


# --- applications --------------------------------------------------------------------------


def open_application(user: Any, programme: Programme) -> Application | None:
    return (
        Application.objects.filter(applicant=user, programme=programme, status__in=Application.OPEN)
        .order_by("-created_at")
        .first()
    )


def applications_of(user: Any) -> QuerySet[Application]:
    return (
        Application.objects.select_related("programme")
        .filter(applicant=user)
        .order_by("-created_at")
    )


def application_for_owner(user: Any, public_id: Any) -> Application:
    """The learner's own application; anyone else's is reported as not found."""
    application = (
        Application.objects.select_related("programme", "applicant")
        .filter(public_id=public_id)
        .first()
    )
    if application is None or application.applicant_id != getattr(user, "pk", None):
        raise NotFound(_("신청서를 찾을 수 없습니다."))
    return application


def _require_reviewer(user: Any) -> None:
    if not (getattr(user, "is_authenticated", False) and user.role in REVIEWER_ROLES):
        raise PermissionDenied(_("이 작업을 할 권한이 없습니다."), code="wrong_role")


def application_for_reviewer(user: Any, public_id: Any) -> Application:
    _require_reviewer(user)
    application = (
        Application.objects.select_related("programme", "applicant", "claimed_by", "decided_by")
        .filter(public_id=public_id)
        .first()
    )
    if application is None or application.status == Application.Status.DRAFT:
        raise NotFound(_("신청서를 찾을 수 없습니다."))
    return application


def evidence_for_viewer(user: Any, public_id: Any) -> Evidence:
    """Evidence may be read by the applicant and by operators, nobody else."""
    evidence = (
        Evidence.objects.select_related("application", "application__applicant")
        .filter(public_id=public_id)
        .first()
    )
    if evidence is None or not getattr(user, "is_authenticated", False):
        raise NotFound(_("파일을 찾을 수 없습니다."))
    if user.role in REVIEWER_ROLES:
        if evidence.application.status == Application.Status.DRAFT:
            raise NotFound(_("파일을 찾을 수 없습니다."))
        return evidence
    if evidence.application.applicant_id == user.pk:
        return evidence
    raise NotFound(_("파일을 찾을 수 없습니다."))


def is_claimed_by_other(application: Application, user: Any, *, ttl: dt.timedelta) -> bool:
    from seoullearn.core.timeutil import now

    return bool(
        application.claimed_by_id
        and application.claimed_by_id != getattr(user, "pk", None)
        and application.claimed_at is not None
        and application.claimed_at > now() - ttl
    )


@dataclass
class ReviewFilters:
    """Filters of the operator review queue (also used by the API and the export)."""

    status: str = ""  # "" = awaiting a decision, "all" = every submitted application
    category: str = ""
    district: str = ""
    school_level: str = ""
    verification: str = ""
    kind: str = ""
    age_min: int | None = None
    age_max: int | None = None
    submitted_from: dt.date | None = None
    submitted_to: dt.date | None = None
    q: str = ""
    errors: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_query(cls, data: Any) -> ReviewFilters:
        filters = cls()
        choices = {
            "status": {s for s in Application.Status.values if s != "draft"} | {"all"},
            "category": set(rules.CATEGORY_LABELS),
            "verification": set(Application.Verification.values),
            "kind": set(Application.Kind.values),
            "school_level": set(SchoolLevel.values),
        }
        for name, allowed in choices.items():
            value = str(data.get(name) or "").strip()
            if value and value not in allowed:
                filters.errors[name] = str(_("알 수 없는 값입니다."))
                continue
            setattr(filters, name, value)
        filters.district = str(data.get("district") or "").strip()[:10]
        filters.q = str(data.get("q") or "").strip()[:100]
        for name in ("age_min", "age_max"):
            raw = str(data.get(name) or "").strip()
            if raw:
                if raw.isdigit() and int(raw) <= 120:
                    setattr(filters, name, int(raw))
                else:
                    filters.errors[name] = str(_("나이는 0~120 사이의 숫자로 입력해 주세요."))
        for name in ("submitted_from", "submitted_to"):
            raw = str(data.get(name) or "").strip()
            if raw:
                try:
                    setattr(filters, name, dt.date.fromisoformat(raw))
                except ValueError:
                    filters.errors[name] = str(_("날짜는 YYYY-MM-DD 형식으로 입력해 주세요."))
        return filters

    def apply(self, qs: QuerySet[Application]) -> QuerySet[Application]:
        # No status: what awaits a decision; "all": every submitted application.
        if not self.status:
            qs = qs.filter(status__in=Application.DECIDABLE)
        elif self.status != "all":
            qs = qs.filter(status=self.status)
        if self.category:
            qs = qs.filter(category_index=category_index(self.category))
        if self.district:
            qs = qs.filter(district_code=self.district)
        if self.school_level:
            qs = qs.filter(school_level=self.school_level)
        if self.verification:
            qs = qs.filter(verification=self.verification)
        if self.kind:
            qs = qs.filter(kind=self.kind)
        day = today()
        if self.age_min is not None:
            # age >= n  <=>  born on or before today minus n years
            qs = qs.filter(birth_date__lte=_years_before(day, self.age_min))
        if self.age_max is not None:
            # age <= n  <=>  born after today minus (n + 1) years
            qs = qs.filter(birth_date__gt=_years_before(day, self.age_max + 1))
        if self.submitted_from:
            qs = qs.filter(submitted_at__date__gte=self.submitted_from)
        if self.submitted_to:
            qs = qs.filter(submitted_at__date__lte=self.submitted_to)
        if self.q:
            qs = qs.filter(
                Q(applicant__username__icontains=self.q) | Q(applicant__full_name__icontains=self.q)
            )
        return qs

    def as_query(self) -> dict[str, str]:
        values = {
            "status": self.status,
            "category": self.category,
            "district": self.district,
            "school_level": self.school_level,
            "verification": self.verification,
            "kind": self.kind,
            "age_min": "" if self.age_min is None else str(self.age_min),
            "age_max": "" if self.age_max is None else str(self.age_max),
            "submitted_from": self.submitted_from.isoformat() if self.submitted_from else "",
            "submitted_to": self.submitted_to.isoformat() if self.submitted_to else "",
            "q": self.q,
        }
        return {k: v for k, v in values.items() if v}


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def review_queue(
    user: Any, filters: ReviewFilters, *, programme: Programme | None = None
) -> QuerySet[Application]:
    """Submitted applications (never drafts), oldest submission first within a status."""
    _require_reviewer(user)
    qs = Application.objects.select_related("applicant", "claimed_by", "programme").exclude(
        status=Application.Status.DRAFT
    )
    if programme is not None:
        qs = qs.filter(programme=programme)
    return filters.apply(qs).order_by("submitted_at", "id")


@dataclass
class MemberFilters:
    q: str = ""
    district: str = ""
    category: str = ""
    status: str = ""
    errors: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_query(cls, data: Any) -> MemberFilters:
        filters = cls(
            q=str(data.get("q") or "").strip()[:100],
            district=str(data.get("district") or "").strip()[:10],
        )
        category = str(data.get("category") or "").strip()
        if category and category not in rules.CATEGORY_LABELS:
            filters.errors["category"] = str(_("알 수 없는 값입니다."))
        else:
            filters.category = category
        status = str(data.get("status") or "").strip()
        if status and status not in Membership.Status.values:
            filters.errors["status"] = str(_("알 수 없는 값입니다."))
        else:
            filters.status = status
        return filters

    @property
    def is_empty(self) -> bool:
        return not (self.q or self.district or self.category or self.status)

    def as_query(self) -> dict[str, str]:
        values = {
            "q": self.q,
            "district": self.district,
            "category": self.category,
            "status": self.status,
        }
        return {k: v for k, v in values.items() if v}


def member_search(
    user: Any, filters: MemberFilters, *, programme: Programme | None = None
) -> QuerySet[Membership]:
    _require_reviewer(user)
    qs = Membership.objects.select_related("user", "programme")
    if programme is not None:
        qs = qs.filter(programme=programme)
    if filters.q:
        qs = qs.filter(
            Q(user__username__icontains=filters.q) | Q(user__full_name__icontains=filters.q)
        )
    if filters.district:
        qs = qs.filter(district_code=filters.district)
    if filters.category:
        qs = qs.filter(category_index=category_index(filters.category))
    if filters.status:
        qs = qs.filter(status=filters.status)
    return qs.order_by("-starts_on", "-id")


# --- counts for the operator dashboard -----------------------------------------------------


def application_counts(programme: Programme | None = None) -> dict[str, int]:
    qs = Application.objects.all()
    if programme is not None:
        qs = qs.filter(programme=programme)
    counts = {row["status"]: row["n"] for row in qs.values("status").annotate(n=Count("id"))}
    return {status: counts.get(status, 0) for status in Application.Status.values}


def awaiting_review_counts(programme: Programme | None = None) -> dict[str, int]:
    qs = Application.objects.filter(status__in=Application.DECIDABLE)
    if programme is not None:
        qs = qs.filter(programme=programme)
    counts = {
        row["verification"]: row["n"] for row in qs.values("verification").annotate(n=Count("id"))
    }
    return {v: counts.get(v, 0) for v in Application.Verification.values}


def _current_members(programme: Programme | None) -> QuerySet[Membership]:
    qs = Membership.objects.filter(status__in=Membership.CURRENT)
    if programme is not None:
        qs = qs.filter(programme=programme)
    return qs


def members_by_category(programme: Programme | None = None) -> dict[str, int]:
    by_index = Counter(
        {
            row["category_index"]: row["n"]
            for row in _current_members(programme).values("category_index").annotate(n=Count("id"))
        }
    )
    return {code: by_index.get(category_index(code), 0) for code in rules.CATEGORY_LABELS}


def members_by_district(programme: Programme | None = None) -> dict[str, int]:
    rows = _current_members(programme).values("district_code").annotate(n=Count("id"))
    return {row["district_code"]: row["n"] for row in rows}


def membership_counts(programme: Programme | None = None) -> dict[str, int]:
    qs = Membership.objects.all()
    if programme is not None:
        qs = qs.filter(programme=programme)
    counts = {row["status"]: row["n"] for row in qs.values("status").annotate(n=Count("id"))}
    return {status: counts.get(status, 0) for status in Membership.Status.values}


def reverification_due(on: dt.date, lead_days: int) -> QuerySet[Membership]:
    """Active memberships whose re-verification falls within the reminder lead time."""
    return Membership.objects.filter(
        status=Membership.Status.ACTIVE,
        reverify_due_on__isnull=False,
        reverify_due_on__lte=on + dt.timedelta(days=lead_days),
    )
