"""Factories and builders for eligibility tests."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import factory
from factory.django import DjangoModelFactory

from seoullearn.accounts.models import ConsentNotice, ConsentRecord, GuardianLink, User
from seoullearn.accounts.tests.factories import GuardianFactory, LearnerFactory
from seoullearn.core.crypto import blind_index
from seoullearn.core.timeutil import now, today
from seoullearn.eligibility.models import (
    Application,
    SandboxWelfareRecord,
    category_index,
)
from seoullearn.eligibility.verifiers import person_key
from seoullearn.programmes.models import Programme
from seoullearn.programmes.tests.factories import ProgrammeFactory

PDF_BYTES = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


def png_bytes(size: tuple[int, int] = (4, 4)) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


def jpeg_bytes() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (30, 30, 200)).save(buffer, format="JPEG")
    return buffer.getvalue()


def current_programme_obj() -> Programme:
    year = today().year
    return ProgrammeFactory(  # type: ignore[return-value]
        year=year,
        code=f"seoul-{year}",
        name=f"서울런 {year}",
        starts_on=dt.date(year, 1, 1),
        ends_on=dt.date(year, 12, 31),
    )


def birth_date_for_age(age: int) -> dt.date:
    day = today()
    born = (
        day.replace(year=day.year - age)
        if not (day.month == 2 and day.day == 29)
        else day.replace(year=day.year - age, day=28)
    )
    return born - dt.timedelta(days=30)


class ApplicationFactory(DjangoModelFactory[Application]):
    """A draft with steps 1 and 2 filled in (near-poor, Nowon-gu, a middle-school pupil)."""

    class Meta:
        model = Application

    applicant = factory.SubFactory(
        LearnerFactory, birth_date=factory.LazyFunction(lambda: birth_date_for_age(15))
    )
    programme = factory.LazyFunction(current_programme_obj)
    status = Application.Status.DRAFT
    step = Application.Step.HOUSEHOLD
    birth_date = factory.LazyAttribute(lambda o: o.applicant.birth_date)
    applicant_name = factory.LazyAttribute(lambda o: o.applicant.full_name)
    school_level = "middle"
    grade = 3
    district_code = "11350"
    category = "near_poor"
    category_index = factory.LazyAttribute(lambda o: category_index(o.category))
    household = factory.LazyFunction(lambda: {"size": 3, "monthly_income_krw": 2_000_000})


def sandbox_record(
    application: Application, *, categories: list[str] | None = None, **kwargs: Any
) -> SandboxWelfareRecord:
    return SandboxWelfareRecord.objects.create(
        person_index=person_key(
            application.applicant_name, application.birth_date, application.district_code
        ),
        categories=categories if categories is not None else [application.category],  # type: ignore[misc]
        valid_from=kwargs.pop("valid_from", today() - dt.timedelta(days=365)),
        valid_until=kwargs.pop("valid_until", None),
        **kwargs,
    )


def guardian_notice() -> ConsentNotice:
    from seoullearn.accounts.selectors import current_notices

    current = next((n for n in current_notices() if n.kind == ConsentNotice.Kind.GUARDIAN), None)
    if current is not None:
        return current
    notice, _ = ConsentNotice.objects.get_or_create(
        kind=ConsentNotice.Kind.GUARDIAN,
        version="test-1",
        defaults={
            "title_ko": "법정대리인 동의",
            "title_en": "Guardian consent",
            "body_ko": "보호자 동의",
            "body_en": "Guardian consent",
            "effective_from": dt.date(2020, 1, 1),
        },
    )
    return notice


def verified_guardian_consent(learner: User, guardian: Any = None) -> Any:
    """A verified guardian with an active guardian consent for the learner."""
    guardian = guardian or GuardianFactory()
    GuardianLink.objects.create(
        learner=learner,
        guardian=guardian,
        relationship="parent",
        status=GuardianLink.Status.VERIFIED,
        contact="010-0000-0000",
        contact_index=blind_index("010-0000-0000", purpose="accounts.guardian_contact"),
        channel="sms_sandbox",
        token_hash=blind_index(f"{learner.pk}-{guardian.pk}", purpose="test-token"),
        expires_at=now() + dt.timedelta(days=7),
        verified_at=now(),
    )
    ConsentRecord.objects.create(
        subject=learner,
        given_by=guardian,
        notice=guardian_notice(),
        method=ConsentRecord.Method.GUARDIAN_LINK,
        verification="test",
        given_at=now(),
    )
    return guardian
