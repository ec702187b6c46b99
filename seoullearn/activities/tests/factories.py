from __future__ import annotations

import datetime as dt
from typing import Any

import factory
from factory.django import DjangoModelFactory

from seoullearn.accounts.models import LearnerProfile
from seoullearn.accounts.tests.factories import LearnerFactory, UserFactory
from seoullearn.activities.models import (
    CareerApplication,
    CareerCohort,
    ConsultantSlot,
    ConsultingBooking,
    ConsultingService,
    LectureRegistration,
    SpecialLecture,
)
from seoullearn.core.roles import Role
from seoullearn.core.timeutil import now, today
from seoullearn.eligibility.models import Membership
from seoullearn.programmes.models import Jurisdiction
from seoullearn.programmes.tests.factories import ProgrammeFactory


def current_programme_factory() -> Any:
    """This year's programme (the Seoul jurisdiction is recreated after a flushing test)."""
    Jurisdiction.objects.get_or_create(
        slug="seoul", defaults={"name_ko": "서울특별시", "name_en": "Seoul"}
    )
    return ProgrammeFactory(year=today().year)


class ConsultantFactory(UserFactory):
    role = Role.CONSULTANT
    birth_date = dt.date(1980, 2, 2)


class MembershipFactory(DjangoModelFactory[Membership]):
    class Meta:
        model = Membership

    user = factory.SubFactory(LearnerFactory)
    programme = factory.LazyFunction(current_programme_factory)
    status = Membership.Status.ACTIVE
    starts_on = factory.LazyFunction(lambda: today() - dt.timedelta(days=30))
    ends_on = factory.LazyFunction(lambda: today() + dt.timedelta(days=300))


def member(*, level: str = "middle", grade: int = 2, **kwargs: object) -> Any:
    """A learner with a current membership and a school year."""
    learner: Any = LearnerFactory(**kwargs)
    MembershipFactory(user=learner)
    LearnerProfile.objects.update_or_create(
        user=learner, defaults={"school_level": level, "grade": grade, "district_code": "11350"}
    )
    learner.refresh_from_db()
    return learner


class ServiceFactory(DjangoModelFactory[ConsultingService]):
    class Meta:
        model = ConsultingService
        django_get_or_create = ("programme", "code")

    programme = factory.LazyFunction(current_programme_factory)
    code = "study-in-depth"
    track = ConsultingService.Track.STUDY
    name_ko = "학습 전략 심층 상담"
    name_en = "In-depth study strategy"
    quota_per_learner = 4
    duration_minutes = 50
    grade_min = 7
    grade_max = 11


class SlotFactory(DjangoModelFactory[ConsultantSlot]):
    class Meta:
        model = ConsultantSlot

    consultant = factory.SubFactory(ConsultantFactory)
    track = ConsultingService.Track.STUDY
    starts_at = factory.Sequence(lambda n: now() + dt.timedelta(days=3, hours=n))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + dt.timedelta(minutes=50))
    mode = ConsultantSlot.Mode.ONLINE
    location = "화상 회의실 링크는 하루 전에 보내 드립니다"


class BookingFactory(DjangoModelFactory[ConsultingBooking]):
    class Meta:
        model = ConsultingBooking

    slot = factory.SubFactory(SlotFactory)
    service = factory.SubFactory(ServiceFactory)
    learner = factory.SubFactory(LearnerFactory)
    status = ConsultingBooking.Status.BOOKED


class CohortFactory(DjangoModelFactory[CareerCohort]):
    class Meta:
        model = CareerCohort

    programme = factory.LazyFunction(current_programme_factory)
    name = factory.Sequence(lambda n: f"진로 프로그램 {n}기")
    track = CareerCohort.Track.FULL
    capacity = 2
    applications_open_on = factory.LazyFunction(lambda: today() - dt.timedelta(days=5))
    applications_close_on = factory.LazyFunction(lambda: today() + dt.timedelta(days=5))
    starts_on = factory.LazyFunction(lambda: today() + dt.timedelta(days=10))
    ends_on = factory.LazyFunction(lambda: today() + dt.timedelta(days=100))
    status = CareerCohort.Status.RECRUITING


class ApplicationFactory(DjangoModelFactory[CareerApplication]):
    class Meta:
        model = CareerApplication

    cohort = factory.SubFactory(CohortFactory)
    learner = factory.SubFactory(LearnerFactory)
    motivation = "로봇을 만드는 일을 해 보고 싶습니다."


class LectureFactory(DjangoModelFactory[SpecialLecture]):
    class Meta:
        model = SpecialLecture

    programme = factory.LazyFunction(current_programme_factory)
    sequence = factory.Sequence(lambda n: n + 1)
    title = "뇌과학 이야기"
    speaker = "김뇌과"
    starts_at = factory.LazyFunction(lambda: now() + dt.timedelta(days=7))
    duration_minutes = 90
    platform = SpecialLecture.Platform.YOUTUBE
    stream_url = "https://www.youtube.com/watch?v=example"
    checkin_code = "BRAIN7"


class RegistrationFactory(DjangoModelFactory[LectureRegistration]):
    class Meta:
        model = LectureRegistration

    lecture = factory.SubFactory(LectureFactory)
    learner = factory.SubFactory(LearnerFactory)


def with_mfa(user: object) -> Any:
    """An operator or auditor who has enrolled TOTP (the middleware lets them in)."""
    from allauth.mfa.models import Authenticator

    Authenticator.objects.create(
        user=user, type=Authenticator.Type.TOTP, data={"secret": "JBSWY3DPEHPK3PXP"}
    )
    return user


def operator() -> Any:
    from seoullearn.accounts.tests.factories import OperatorFactory

    return with_mfa(OperatorFactory())


def auditor() -> Any:
    from seoullearn.accounts.tests.factories import AuditorFactory

    return with_mfa(AuditorFactory())
