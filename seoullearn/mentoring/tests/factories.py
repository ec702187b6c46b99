# mypy: disable-error-code="misc,return-value,assignment,type-var,var-annotated"
from __future__ import annotations

import datetime as dt
from typing import Any

import factory
from factory.django import DjangoModelFactory

from seoullearn.accounts.tests.factories import LearnerProfileFactory, MentorFactory, UserFactory
from seoullearn.core.roles import Role
from seoullearn.core.timeutil import now, today
from seoullearn.eligibility.models import Membership
from seoullearn.mentoring.models import (
    Match,
    MenteeApplication,
    MentorApplication,
    MentoringGroup,
    MentorTerm,
    TrainingModule,
    TrainingRecord,
    University,
    UniversityCoordinator,
)
from seoullearn.programmes.tests.factories import ProgrammeFactory


class UniversityFactory(DjangoModelFactory[University]):
    class Meta:
        model = University
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"univ{n}")
    name = factory.Sequence(lambda n: f"서울대학교{n}")


class TermFactory(DjangoModelFactory[MentorTerm]):
    class Meta:
        model = MentorTerm

    programme = factory.LazyFunction(lambda: ProgrammeFactory(year=today().year))
    name = factory.LazyFunction(lambda: f"{today().year}년 멘토")
    starts_on = factory.LazyFunction(lambda: today() - dt.timedelta(days=60))
    ends_on = factory.LazyFunction(lambda: today() + dt.timedelta(days=300))


class CoordinatorFactory(UserFactory):
    role = Role.UNIVERSITY_COORDINATOR
    birth_date = dt.date(1980, 1, 1)


class MentorApplicationFactory(DjangoModelFactory[MentorApplication]):
    class Meta:
        model = MentorApplication

    user = factory.SubFactory(MentorFactory)
    term = factory.SubFactory(TermFactory)
    university = factory.SubFactory(UniversityFactory)
    major = "수학교육"
    major_field = "education"
    year = 3
    grade_band = "middle"
    subjects = factory.LazyFunction(lambda: ["math", "english"])
    school_levels = factory.LazyFunction(lambda: ["middle", "high"])
    availability = factory.LazyFunction(lambda: ["mon-ev", "wed-ev", "sat-am"])
    mode = "online"
    motivation = "학생들이 수학을 즐기도록 돕고 싶습니다. 교육 봉사 경험이 있습니다."
    capacity = 4


def make_ready_mentor(**kwargs: Any) -> MentorApplication:
    """A selected mentor with valid checks and completed pre-training and orientation."""
    app = MentorApplicationFactory(
        status=MentorApplication.Status.SELECTED,
        reference_status="passed",
        background_status="passed",
        reference_valid_until=today() + dt.timedelta(days=365),
        background_valid_until=today() + dt.timedelta(days=365),
        review_total=80,
        **kwargs,
    )
    for kind in (TrainingModule.Kind.PRE_TRAINING, TrainingModule.Kind.ORIENTATION):
        module, _ = TrainingModule.objects.get_or_create(
            term=app.term, kind=kind, defaults={"title": str(kind), "held_on": today()}
        )
        TrainingRecord.objects.create(module=module, mentor=app, attended=True, completed_at=now())
    return app


def make_member(
    *, birth_date: dt.date = dt.date(2009, 5, 1), district: str = "11350", **kw: Any
) -> Any:
    user = LearnerProfileFactory(user__birth_date=birth_date, district_code=district, **kw).user
    Membership.objects.create(
        user=user,
        programme=ProgrammeFactory(year=today().year),
        starts_on=today() - dt.timedelta(days=30),
        ends_on=today() + dt.timedelta(days=300),
    )
    return user


class MenteeApplicationFactory(DjangoModelFactory[MenteeApplication]):
    class Meta:
        model = MenteeApplication

    user = factory.LazyFunction(make_member)
    term = factory.SubFactory(TermFactory)
    school_level = "middle"
    grade = 8
    subjects = factory.LazyFunction(lambda: ["math"])
    goals = "수학 성적을 올리고 싶어요"
    mode = "online"
    availability = factory.LazyFunction(lambda: ["mon-ev", "wed-ev"])
    district_code = "11350"


def make_coordinator(university: University) -> Any:
    user = CoordinatorFactory()
    UniversityCoordinator.objects.create(user=user, university=university)
    return user


def make_group(
    mentor: MentorApplication,
    mentees: list[Any],
    *,
    started_on: dt.date | None = None,
) -> MentoringGroup:
    """An active group with active matches, as publishing a matching run leaves it."""
    start = started_on or today() - dt.timedelta(days=20)
    group = MentoringGroup.objects.create(
        term=mentor.term,
        mentor=mentor,
        schedule=["mon-ev", "sat-am"],
        mode=mentor.mode,
        started_on=start,
    )
    for mentee in mentees:
        Match.objects.create(group=group, mentee=mentee, score=90, started_on=start)
        mentee.status = MenteeApplication.Status.MATCHED
        mentee.save(update_fields=["status"])
    return group
