"""The workspace reads the real marketplace: selections and usage reports (skipped where the
marketplace is not installed)."""

from __future__ import annotations

import datetime as dt

import pytest

enrollment_models = pytest.importorskip("seoullearn.enrollment.models")
enrollment_factories = pytest.importorskip("seoullearn.enrollment.tests.factories")
catalog_factories = pytest.importorskip("seoullearn.catalog.tests.factories")

from seoullearn.activities.tests.factories import member  # noqa: E402
from seoullearn.core.timeutil import today  # noqa: E402
from seoullearn.learning import selectors, services, sources  # noqa: E402
from seoullearn.learning.tests.factories import AVAILABILITY  # noqa: E402

pytestmark = pytest.mark.django_db


def test_plan_uses_selected_offerings_and_usage_reports():
    Contract = enrollment_models.Contract
    Seat = enrollment_models.Seat
    Selection = enrollment_models.Selection
    UsageRecord = enrollment_models.UsageRecord
    enrollment_factories.ensure_reference_data()
    learner = member()
    programme = learner.memberships.get().programme
    provider = catalog_factories.ProviderFactory(code="mbest")
    offering = catalog_factories.OfferingFactory(
        provider=provider, track=catalog_factories.track("middle"), subjects=["수학", "영어"]
    )
    contract = Contract.objects.create(
        programme=programme,
        provider=provider,
        seat_capacity=10,
        price_per_seat_month_krw=1000,
        starts_on=programme.starts_on,
        ends_on=programme.ends_on,
    )
    selection = Selection.objects.create(
        user=learner,
        membership=learner.memberships.get(),
        programme=programme,
        offering=offering,
        contract=contract,
        status="active",
        selected_on=today(),
    )
    seat = Seat.objects.create(
        contract=contract, selection=selection, user=learner, status="active", started_on=today()
    )
    UsageRecord.objects.create(
        seat=seat, provider=provider, day=today(), minutes=42, lessons_completed=1
    )
    offerings = sources.selected_offerings(learner)
    assert [(o.key, o.subjects) for o in offerings] == [("mbest", ("math", "english"))]
    services.profile_save(
        learner=learner, purposes=["school_grades"], subjects=["math"], availability=AVAILABILITY
    )
    plan = services.plan_generate(
        learner=learner,
        week_start=today() - dt.timedelta(days=today().weekday()) + dt.timedelta(weeks=1),
    )
    assert plan.items.filter(offering_key="mbest").exists()
    overview = selectors.progress_overview(learner)
    assert overview.week.minutes == 42 and overview.week.completions == 1
