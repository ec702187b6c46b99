"""Selectors: object-level checks, queue and member filters, dashboard counts."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from seoullearn.accounts.tests.factories import GuardianFactory, LearnerFactory
from seoullearn.core.errors import NotFound, PermissionDenied
from seoullearn.core.timeutil import today
from seoullearn.eligibility import rules, selectors
from seoullearn.eligibility.models import Application, Membership, category_index
from seoullearn.eligibility.tests.factories import ApplicationFactory, birth_date_for_age

pytestmark = pytest.mark.django_db


def test_policy_defaults_to_the_jurisdictions_districts(programme: Any) -> None:
    policy = selectors.policy_for(programme)
    assert len(policy.district_codes) == 25
    assert policy == rules.default_policy(selectors.known_district_codes(programme))


def test_owner_and_reviewer_access(
    learner: Any, other_learner: Any, operator: Any, programme: Any
) -> None:
    app: Any = ApplicationFactory(applicant=learner, programme=programme)
    assert selectors.application_for_owner(learner, app.public_id) == app
    with pytest.raises(NotFound):
        selectors.application_for_owner(other_learner, app.public_id)
    with pytest.raises(NotFound):  # drafts are the learner's own business
        selectors.application_for_reviewer(operator, app.public_id)
    Application.objects.filter(pk=app.pk).update(status="submitted")
    assert selectors.application_for_reviewer(operator, app.public_id) == app
    with pytest.raises(PermissionDenied):
        selectors.application_for_reviewer(learner, app.public_id)
    with pytest.raises(PermissionDenied):
        selectors.review_queue(GuardianFactory(), selectors.ReviewFilters())


def test_review_filters_parse_and_report_errors() -> None:
    filters = selectors.ReviewFilters.from_query(
        {
            "status": "in_review",
            "category": "defector",
            "age_min": "13",
            "submitted_to": "2026-03-01",
        }
    )
    assert not filters.errors
    assert filters.as_query() == {
        "status": "in_review",
        "category": "defector",
        "age_min": "13",
        "submitted_to": "2026-03-01",
    }
    bad = selectors.ReviewFilters.from_query(
        {"status": "draft", "category": "x", "age_max": "-1", "submitted_from": "yesterday"}
    )
    assert set(bad.errors) == {"status", "category", "age_max", "submitted_from"}


def test_age_filter_is_exact_at_birthdays(operator: Any, programme: Any) -> None:
    day = today()
    born_13_today = (
        day.replace(year=day.year - 13)
        if not (day.month == 2 and day.day == 29)
        else day.replace(year=day.year - 13, day=28)
    )
    turns_13_tomorrow = born_13_today + dt.timedelta(days=1)
    a: Any = ApplicationFactory(programme=programme, status="in_review", birth_date=born_13_today)
    b: Any = ApplicationFactory(
        programme=programme, status="in_review", birth_date=turns_13_tomorrow
    )
    thirteen = selectors.review_queue(
        operator, selectors.ReviewFilters.from_query({"age_min": "13", "age_max": "13"})
    )
    twelve = selectors.review_queue(operator, selectors.ReviewFilters.from_query({"age_max": "12"}))
    assert list(thirteen) == [a]
    assert list(twelve) == [b]


def test_counts(programme: Any) -> None:
    for category, district in (
        ("near_poor", "11350"),
        ("near_poor", "11110"),
        ("defector", "11350"),
    ):
        app: Any = ApplicationFactory(programme=programme, status="approved", category=category)
        Membership.objects.create(
            user=app.applicant,
            programme=programme,
            starts_on=dt.date(2026, 1, 1),
            ends_on=dt.date(2026, 12, 31),
            category=category,
            category_index=category_index(category),
            district_code=district,
        )
    ended: Any = ApplicationFactory(
        programme=programme,
        status="approved",
        applicant=LearnerFactory(birth_date=birth_date_for_age(16)),
    )
    Membership.objects.create(
        user=ended.applicant,
        programme=programme,
        status="expired",
        starts_on=dt.date(2026, 1, 1),
        ends_on=dt.date(2026, 2, 1),
        category="near_poor",
        category_index=category_index("near_poor"),
        district_code="11350",
    )
    by_category = selectors.members_by_category(programme)
    assert (
        by_category["near_poor"] == 2
        and by_category["defector"] == 1
        and by_category["single_parent"] == 0
    )
    assert selectors.members_by_district(programme) == {"11350": 2, "11110": 1}
    assert selectors.membership_counts(programme) == {
        "active": 3,
        "grace": 0,
        "expired": 1,
        "revoked": 0,
    }
    assert selectors.application_counts(programme)["approved"] == 4


def test_member_search(operator: Any, programme: Any) -> None:
    user: Any = LearnerFactory(full_name="윤하늘", username="sky")
    Membership.objects.create(
        user=user,
        programme=programme,
        starts_on=dt.date(2026, 1, 1),
        ends_on=dt.date(2026, 12, 31),
        category="multicultural",
        category_index=category_index("multicultural"),
        district_code="11620",
    )

    def search(**query: str) -> list[str]:
        filters = selectors.MemberFilters.from_query(query)
        return [m.user.username for m in selectors.member_search(operator, filters)]

    assert search(q="하늘") == ["sky"]
    assert search(q="SKY") == ["sky"]
    assert search(category="multicultural", district="11620", status="active") == ["sky"]
    assert search(category="near_poor") == []
    assert selectors.MemberFilters.from_query({"status": "gone"}).errors
