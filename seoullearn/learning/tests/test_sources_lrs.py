"""The workspace reads the real learning record store (skipped where it is not installed)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

lrs_services = pytest.importorskip("seoullearn.lrs.services")
lrs_models = pytest.importorskip("seoullearn.lrs.models")
lrs_selectors = pytest.importorskip("seoullearn.lrs.selectors")

from seoullearn.activities import services as activity_services  # noqa: E402
from seoullearn.activities import xapi  # noqa: E402
from seoullearn.activities.models import ConsultantSlot  # noqa: E402
from seoullearn.activities.tests.factories import (  # noqa: E402
    BookingFactory,
    LectureFactory,
    ServiceFactory,
    member,
)
from seoullearn.catalog.models import Provider  # noqa: E402
from seoullearn.core.timeutil import now, today  # noqa: E402
from seoullearn.learning import selectors, services, sources  # noqa: E402

pytestmark = pytest.mark.django_db(transaction=True)


def _provider_statement(learner: Any, *, verb: str, activity: str, minutes: int = 0, **result: Any):
    payload: dict[str, Any] = {
        "actor": lrs_services.member_actor(learner),
        "verb": {"id": f"http://adlnet.gov/expapi/verbs/{verb}", "display": {"en-US": verb}},
        "object": {
            "objectType": "Activity",
            "id": f"https://api.milkt.example/xapi/lessons/{activity}",
            "definition": {"name": {"ko-KR": f"{activity}강 일차함수"}},
        },
        "timestamp": now().isoformat(),
    }
    res = dict(result)
    if minutes:
        res["duration"] = f"PT{minutes}M"
    if res:
        payload["result"] = res
    return payload


def test_progress_reads_provider_statements_once_and_skips_platform_ones(
    django_capture_on_commit_callbacks,
):
    learner = member()
    provider = Provider.objects.create(code="milkt", name_ko="밀크T", name_en="Milk T")
    client, _secret = lrs_services.lrs_client_create(
        name="milkt", scopes=["statements/write"], provider=provider
    )
    credential = lrs_services.Credential(client=client, scopes=frozenset(client.scopes))
    lrs_services.statements_store(
        statements=[
            _provider_statement(learner, verb="progressed", activity="1", minutes=25),
            _provider_statement(
                learner, verb="completed", activity="1", minutes=10, completion=True
            ),
            _provider_statement(
                learner, verb="passed", activity="q1", score={"scaled": 0.8}, completion=True
            ),
        ],
        credential=credential,
        version="2.0.0",
    )
    # a consulting session held today also becomes a platform statement
    booking = BookingFactory(learner=learner, service=ServiceFactory())
    ConsultantSlot.objects.filter(pk=booking.slot_id).update(
        starts_at=now() - dt.timedelta(minutes=55), ends_at=now() - dt.timedelta(minutes=5)
    )
    booking.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        activity_services.consulting_complete(
            booking=booking, actor=booking.slot.consultant, note="", summary="요약"
        )
    platform = lrs_models.Statement.objects.filter(
        actor_key=lrs_selectors.member_actor_key(learner), client__is_platform=True
    )
    assert platform.count() == 1
    payload = platform.get().payload
    assert payload["object"]["definition"]["type"].endswith("consulting-session")
    # recording the same event again stores it once
    with django_capture_on_commit_callbacks(execute=True):
        xapi.statement_record(
            learner=learner,
            verb=xapi.VERB_ATTENDED,
            object_id=payload["object"]["id"],
            name_ko=booking.service.name_ko,
            name_en=booking.service.name_en,
            activity_type=xapi.TYPE_CONSULTING_SESSION,
            timestamp=booking.slot.starts_at,
            duration_minutes=booking.service.duration_minutes,
            extensions={xapi.EXT_SESSION_KIND: "study-strategy", xapi.EXT_MODE: "online"},
        )
    assert platform.count() == 1

    records = sources.lrs_records(learner, today(), today())
    assert sum(r.minutes for r in records if r.kind == "time") == 35
    assert sum(1 for r in records if r.kind == "completion") == 2
    assert [r.score for r in records if r.kind == "assessment"] == [80.0]
    assert {r.offering_key for r in records} == {"milkt"}
    overview = selectors.progress_overview(learner)
    assert overview.week.minutes == 35 + 50  # provider time + the consulting session, once
    assert overview.week.average_score == 80.0
    created = services.portfolio_sync(learner=learner)
    assert created == 3  # the consultation, a completed lesson and an assessment
    assert sources.installed_sources()["lrs"]


def test_lecture_attendance_from_a_metaverse_statement():
    learner = member()
    lecture = LectureFactory(platform="metaverse")
    activity_services.lecture_register(lecture=lecture, learner=learner)
    client, _secret = lrs_services.lrs_client_create(name="metaverse", scopes=["statements/write"])
    credential = lrs_services.Credential(client=client, scopes=frozenset(client.scopes))
    lrs_services.statements_store(
        statements=[
            {
                "actor": lrs_services.member_actor(learner),
                "verb": {"id": xapi.VERB_ATTENDED[0], "display": {"en-US": "attended"}},
                "object": {
                    "objectType": "Activity",
                    "id": xapi.lecture_activity_id(lecture.public_id),
                },
            }
        ],
        credential=credential,
        version="2.0.0",
    )
    outbox = pytest.importorskip("seoullearn.lrs.outbox")
    assert outbox.deliver_pending() >= 1  # what the LRS worker runs
    registration = lecture.registrations.get()
    assert registration.attendance_source == "xapi"
