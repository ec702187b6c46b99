"""Demo data: an xAPI credential per provider and months of learning records for members.

Providers come from ``ctx.shared["providers"]`` or the catalog; members from
``ctx.shared["members"]`` (users or memberships) or the current memberships. Statements follow
``docs/xapi-profile.md``: launches, progress with time spent, completions and assessments. The
platform's own records come from the apps that hold the events (the mentoring demo records its
logged sessions through ``platform_statement_record``). Skips quietly when there are no members.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from seoullearn.core.demo import DemoContext
from seoullearn.lrs import profile, services
from seoullearn.lrs.models import LRSClient


def _providers(ctx: DemoContext) -> list[Any]:
    from seoullearn.catalog.models import Provider

    shared = ctx.shared.get("providers")
    if shared:
        return list(shared.values()) if isinstance(shared, dict) else list(shared)
    return list(Provider.objects.filter(is_active=True).order_by("code"))


def _members(ctx: DemoContext) -> list[Any]:
    shared = ctx.shared.get("members")
    if shared:
        items = list(shared.values()) if isinstance(shared, dict) else list(shared)
        return [getattr(item, "user", item) for item in items]
    from seoullearn.eligibility.models import Membership

    memberships = Membership.objects.filter(status__in=Membership.CURRENT).select_related("user")
    return [membership.user for membership in memberships.order_by("pk")]


def _client_for(provider: Any) -> tuple[LRSClient, services.Credential]:
    client = LRSClient.objects.filter(provider=provider, revoked_at__isnull=True).first()
    if client is None:
        client, _ = services.lrs_client_create(
            name=f"{provider.name_ko} xAPI",
            scopes=["statements/write", "statements/read/mine", "state", "profile", "define"],
            provider=provider,
            with_oauth=True,
        )
    return client, services.Credential(client=client, scopes=frozenset(client.scopes))


def _provider_statements(
    ctx: DemoContext, user: Any, provider: Any, start: dt.datetime, days: int
) -> list[dict[str, Any]]:
    rng = ctx.rng
    base = f"https://{provider.code}.provider.example/xapi"
    course = rng.randint(1, 6)
    course_id = f"{base}/courses/{course}"
    registration = str(uuid.UUID(int=rng.getrandbits(128), version=4))
    engagement = rng.choice([0.15, 0.3, 0.5, 0.75])  # share of days with a session
    actor = services.member_actor(user)
    statements: list[dict[str, Any]] = []
    lesson = 0
    for day in range(days):
        if rng.random() > engagement:
            continue
        moment = start + dt.timedelta(
            days=day, hours=rng.randint(15, 22), minutes=rng.randint(0, 59)
        )
        lesson += 1
        lesson_id = f"{course_id}/lessons/{lesson}"
        lesson_object = {
            "objectType": "Activity",
            "id": lesson_id,
            "definition": {
                "type": profile.ACTIVITY_LESSON,
                "name": {
                    "ko-KR": f"{course}과정 {lesson}강",
                    "en-US": f"Course {course}, lesson {lesson}",
                },
            },
        }
        context = {
            "registration": registration,
            "platform": provider.name_en,
            "language": "ko-KR",
            "contextActivities": {
                "parent": [{"objectType": "Activity", "id": course_id}],
                "category": [{"objectType": "Activity", "id": profile.PROFILE_ID}],
            },
        }
        minutes = rng.randint(8, 55)
        statements.append(
            {
                "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                "actor": actor,
                "verb": profile.verb("launched"),
                "object": lesson_object,
                "context": context,
                "timestamp": moment.isoformat(),
            }
        )
        finished = moment + dt.timedelta(minutes=minutes)
        completed = rng.random() < 0.8
        statements.append(
            {
                "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                "actor": actor,
                "verb": profile.verb("completed" if completed else "progressed"),
                "object": lesson_object,
                "result": {
                    "duration": f"PT{minutes}M{rng.randint(0, 59)}S",
                    **({"completion": True} if completed else {}),
                    "extensions": {profile.EXT_PROGRESS: 100 if completed else rng.randint(20, 90)},
                },
                "context": context,
                "timestamp": finished.isoformat(),
            }
        )
        if completed and lesson % 4 == 0:
            raw = max(0, min(100, int(rng.gauss(72, 15))))
            statements.append(
                {
                    "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                    "actor": actor,
                    "verb": profile.verb("passed" if raw >= 60 else "failed"),
                    "object": {
                        "objectType": "Activity",
                        "id": f"{course_id}/assessments/{lesson // 4}",
                        "definition": {
                            "type": profile.ACTIVITY_ASSESSMENT,
                            "name": {"ko-KR": f"{course}과정 단원평가 {lesson // 4}"},
                        },
                    },
                    "result": {
                        "score": {"scaled": raw / 100, "raw": raw, "min": 0, "max": 100},
                        "success": raw >= 60,
                        "completion": True,
                        "duration": f"PT{rng.randint(10, 40)}M",
                    },
                    "context": context,
                    "timestamp": (finished + dt.timedelta(minutes=5)).isoformat(),
                }
            )
    return statements


def seed(ctx: DemoContext) -> None:
    services.platform_client()
    providers = _providers(ctx)
    credentials = [_client_for(provider) for provider in providers]
    ctx.shared["lrs_clients"] = {client.provider_id: client for client, _ in credentials}
    members = _members(ctx)
    if not members or not credentials:
        return
    members = members[: ctx.scale(40, 600)]
    days = ctx.scale(90, 150)
    start = dt.datetime.combine(ctx.today - dt.timedelta(days=days), dt.time(), tzinfo=dt.UTC)
    for member in members:
        chosen = ctx.rng.sample(credentials, k=min(len(credentials), ctx.rng.randint(1, 2)))
        for client, credential in chosen:
            assert client.provider is not None
            statements = _provider_statements(ctx, member, client.provider, start, days)
            for offset in range(0, len(statements), 500):
                services.statements_store(
                    statements=statements[offset : offset + 500],
                    credential=credential,
                    version="2.0",
                )
