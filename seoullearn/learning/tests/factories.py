from __future__ import annotations

from typing import Any

from seoullearn.activities.tests.factories import member
from seoullearn.learning import services

AVAILABILITY = {"mon": 60, "tue": 60, "wed": 90, "thu": 60, "fri": 30, "sat": 120, "sun": 0}


def learner_with_profile(**kwargs: Any) -> Any:
    """A member who has told their goals and free time."""
    return with_profile(member(**kwargs))


def with_profile(learner: Any) -> Any:
    """Tell a learner's purposes, subjects, interests and weekly free time."""
    services.profile_save(
        learner=learner,
        purposes=["school_grades"],
        subjects=["math", "english"],
        interests="로봇",
        desired_major="기계공학",
        desired_job="로봇 엔지니어",
        learning_style="visual",
        session_minutes=30,
        availability=AVAILABILITY,
    )
    return learner


def weekly_goal(learner: Any) -> Any:
    """An active goal: five hours of mathematics a week."""
    return services.goal_create(
        learner=learner,
        title="수학 매주 5시간",
        purpose="school_grades",
        subject="math",
        metric="weekly_minutes",
        target_value=300,
        due_on=None,
    )
