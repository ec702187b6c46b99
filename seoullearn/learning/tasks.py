"""Periodic work of the workspace: weekly plans (adapted to last week) and daily reminders.

Both are idempotent: a plan per learner and week is unique, a reminder is marked per day.
"""

from __future__ import annotations

from django_tasks import task

from seoullearn.learning import services


@task()
def generate_weekly_plans() -> int:
    return services.plans_generate_weekly()


@task()
def send_plan_reminders() -> int:
    return services.plan_reminders_send()
