"""The eligibility demo data: plausible, complete and deterministic for a seed."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

import pytest
from django.db import transaction

from seoullearn.accounts import selectors as account_selectors
from seoullearn.accounts.models import User
from seoullearn.core.demo import DemoContext
from seoullearn.eligibility import demo, rules, selectors
from seoullearn.eligibility.models import (
    Application,
    EligibilityPolicy,
    Evidence,
    Membership,
    SandboxWelfareRecord,
)
from seoullearn.eligibility.verifiers import person_key
from seoullearn.programmes import demo as programme_demo
from seoullearn.programmes.models import BudgetLine

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 20)


def run(seed: int = 7) -> DemoContext:
    ctx = DemoContext(size="small", seed=seed, today=TODAY)
    programme_demo.seed(ctx)
    demo.seed(ctx)
    return ctx


def fingerprint() -> list[tuple[Any, ...]]:
    return [
        (
            a.applicant.username,
            a.applicant.full_name,
            str(a.public_id),
            a.status,
            a.category,
            a.district_code,
            a.birth_date,
            a.school_level,
            a.grade,
            a.verification,
            a.submitted_at,
            a.decision_reason,
        )
        for a in Application.objects.select_related("applicant").order_by("applicant__username")
    ]


def test_programme_and_budget() -> None:
    ctx = run()
    programme = ctx.shared["programme"]
    assert programme.name == "서울런 2026"
    budget = dict(BudgetLine.objects.filter(programme=programme).values_list("kind", "amount_krw"))
    assert budget == {
        "content": 7_790_000_000,
        "mentoring": 5_530_000_000,
        "platform": 3_240_000_000,
    }
    stored = EligibilityPolicy.objects.get(programme=programme)
    assert rules.Policy.from_dict(stored.data) == selectors.policy_for(programme)


def test_demo_covers_states_categories_districts_and_ages() -> None:
    ctx = run()
    apps = list(Application.objects.all())
    assert len(apps) == 400
    assert {a.status for a in apps} == set(Application.Status.values)
    categories = Counter(a.category for a in apps)
    assert set(categories) == set(rules.CATEGORY_LABELS)
    top_two = {c for c, _ in categories.most_common(2)}
    assert top_two == {"basic_livelihood", "near_poor"}
    assert categories["single_parent"] > categories["defector"]
    assert {a.district_code for a in apps} == set(
        selectors.known_district_codes(ctx.shared["programme"])
    )
    ages = [rules.age_on(a.birth_date, TODAY) for a in apps]  # type: ignore[arg-type]
    assert min(ages) >= 6 and max(ages) <= 24
    for app in apps:
        age = rules.age_on(app.birth_date, TODAY)  # type: ignore[arg-type]
        if app.school_level == "elementary":
            assert age <= 12 and 1 <= app.grade <= 6  # type: ignore[operator]
        elif app.school_level == "middle":
            assert 13 <= age <= 15 and app.grade == age - 12
        elif app.school_level == "high":
            assert 16 <= age <= 18 and app.grade == age - 15
    assert {a.verification for a in apps} == set(Application.Verification.values)
    assert Membership.objects.filter(status="active").exists()
    assert {m.status for m in Membership.objects.all()} >= {"active", "grace", "expired"}


def test_every_submitted_child_has_a_consenting_guardian() -> None:
    run()
    children = [
        a
        for a in Application.objects.select_related("applicant").exclude(status="draft")
        if rules.age_on(a.birth_date, TODAY) < 14  # type: ignore[arg-type]
    ]
    assert children
    for app in children:
        assert account_selectors.guardian_consent_verified(app.applicant), app.applicant.username


def test_sandbox_knows_most_applicants_and_documents_exist() -> None:
    run()
    apps = list(Application.objects.all())
    known = set(SandboxWelfareRecord.objects.values_list("person_index", flat=True))
    matched = sum(
        person_key(a.applicant_name, a.birth_date, a.district_code) in known for a in apps
    )
    assert matched / len(apps) > 0.8
    submitted = Application.objects.exclude(status="draft")
    assert not submitted.filter(evidence__isnull=True).exists()
    from seoullearn.core.files import read_encrypted

    sample = Evidence.objects.first()
    assert sample is not None
    assert read_encrypted(sample.file)[:5] in (b"%PDF-", b"\x89PNG\r")


def test_shared_objects_and_logins() -> None:
    ctx = run()
    members = ctx.shared["members"]
    assert members and all(isinstance(m, User) for m in members)
    current = set(
        Membership.objects.filter(status__in=Membership.CURRENT).values_list("user_id", flat=True)
    )
    assert {m.pk for m in members} == current
    usernames = {login.username for login in ctx.logins}
    assert {"learner_member", "learner_review", "learner_info", "learner_draft"} <= usernames
    member = User.objects.get(username="learner_member")
    assert selectors.active_membership(member) is not None


def test_same_seed_same_data_and_other_seed_other_data() -> None:
    with transaction.atomic():
        run(seed=11)
        first = fingerprint()
        transaction.set_rollback(True)
    with transaction.atomic():
        run(seed=11)
        second = fingerprint()
        transaction.set_rollback(True)
    run(seed=12)
    third = fingerprint()
    assert first == second
    assert first != third


def test_running_again_adds_nothing() -> None:
    run()
    count = Application.objects.count()
    ctx = run()
    assert Application.objects.count() == count
    assert ctx.shared["members"]
