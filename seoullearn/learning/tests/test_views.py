from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse

from seoullearn.accounts.models import GuardianLink
from seoullearn.accounts.tests.factories import GuardianFactory, MentorFactory
from seoullearn.activities.tests.factories import ConsultantFactory, auditor, member, operator
from seoullearn.core.models import AccessLog
from seoullearn.core.timeutil import now, today
from seoullearn.learning import services
from seoullearn.learning.models import PortfolioEntry, PortfolioShare
from seoullearn.learning.tests.factories import learner_with_profile, weekly_goal

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"0" * 64


def _login(client, user):
    client.force_login(user)
    return client


def _link(guardian, child):
    return GuardianLink.objects.create(
        learner=child,
        guardian=guardian,
        relationship="부모",
        status=GuardianLink.Status.VERIFIED,
        contact="010-0000-0000",
        contact_index="x" * 10 + str(child.pk),
        channel="sms_sandbox",
        token_hash=f"t{child.pk}-{guardian.pk}",
        expires_at=now() + dt.timedelta(days=1),
    )


LEARNER_PAGES = [
    "learning:home",
    "learning:goals",
    "learning:plan",
    "learning:progress",
    "learning:portfolio",
]


@pytest.mark.parametrize("name", LEARNER_PAGES)
def test_learner_pages_render(client, name):
    learner = learner_with_profile()
    services.plan_generate(learner=learner)
    response = _login(client, learner).get(reverse(name))
    assert response.status_code == 200
    assert "서울런" in response.content.decode()


@pytest.mark.parametrize("name", LEARNER_PAGES)
@pytest.mark.parametrize(
    "factory", [GuardianFactory, MentorFactory, operator, auditor, ConsultantFactory]
)
def test_learner_pages_refuse_other_roles(client, name, factory):
    response = _login(client, factory()).get(reverse(name))
    assert response.status_code == 403


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("learning:plan"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_goals_form_saves_and_shows_field_errors(client):
    learner = member()
    _login(client, learner)
    data = {
        "p-purposes": ["school_grades", "career"],
        "p-subjects": ["math"],
        "p-session_minutes": "30",
        **{f"p-minutes_{d}": "45" for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")},
    }
    bad = {**data, "p-minutes_mon": "999"}
    response = client.post(reverse("learning:goals"), bad)
    assert response.status_code == 200
    assert "720" in response.content.decode()
    response = client.post(reverse("learning:goals"), data)
    assert response.status_code == 302
    assert learner.learning_profile.minutes_mon == 45
    response = client.post(
        reverse("learning:goal_add"),
        {
            "g-title": "수학 300분",
            "g-purpose": "school_grades",
            "g-subject": "math",
            "g-metric": "weekly_minutes",
            "g-target_value": "300",
        },
    )
    assert learner.learning_goals.count() == 1


def test_plan_generate_edit_done_and_explain(client):
    learner = learner_with_profile()
    _login(client, learner)
    response = client.post(reverse("learning:plan_generate"))
    assert response.status_code == 302
    page = client.get(reverse("learning:plan")).content.decode()
    assert "왜 이 계획인가요?" in page
    plan = learner.learning_plans.get()
    item = plan.items.filter(fixed=False).order_by("day").last()
    response = client.post(
        reverse("learning:plan_item_edit", args=[item.public_id]),
        {f"i{item.pk}-day": item.day.isoformat(), f"i{item.pk}-minutes": "600"},
    )
    assert response.status_code == 200  # refused: over the day's free time
    assert "넘습니다" in response.content.decode() or "240" in response.content.decode()
    todays = plan.items.filter(day=today(), fixed=False).first()
    if todays:
        response = client.post(
            reverse("learning:plan_item_done", args=[todays.public_id]),
            {"done": "1"},
            HTTP_HX_REQUEST="true",
        )
        assert response.status_code == 200 and "sl-item--done" in response.content.decode()


def test_plan_items_of_someone_else_are_refused(client):
    owner = learner_with_profile()
    plan = services.plan_generate(learner=owner)
    item = plan.items.first()
    _login(client, member())
    assert client.get(reverse("learning:plan_item_edit", args=[item.public_id])).status_code == 403
    assert client.post(reverse("learning:plan_item_done", args=[item.public_id])).status_code == 403
    assert (
        client.post(reverse("learning:plan_item_delete", args=[item.public_id])).status_code == 403
    )
    assert client.get(reverse("learning:plan_detail", args=[plan.public_id])).status_code == 403
    assert (
        client.post(
            reverse("learning:plan_item_add", args=[plan.public_id]),
            {"add-day": today().isoformat(), "add-minutes": "10", "add-title": "x"},
        ).status_code
        == 403
    )


def test_mentor_without_mentee_cannot_read_plan(client):
    plan = services.plan_generate(learner=learner_with_profile())
    _login(client, MentorFactory())
    assert client.get(reverse("learning:plan_detail", args=[plan.public_id])).status_code == 403
    assert client.get(reverse("learning:mentor_home")).status_code == 200


def test_portfolio_flow_share_and_pdf(client):
    learner = member()
    _login(client, learner)
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(
        reverse("learning:certificate_add"),
        {
            "title": "한국사능력검정 3급",
            "issuer": "국사편찬위원회",
            "occurred_on": today().isoformat(),
            "file": SimpleUploadedFile("c.png", PNG, content_type="image/png"),
        },
    )
    assert response.status_code == 302
    entry = PortfolioEntry.objects.get(learner=learner)
    services.certificate_verify(entry=entry, actor=operator(), approve=True, note="")
    client.post(
        reverse("learning:portfolio_entry", args=[entry.public_id]),
        {f"e{entry.pk}-included": "on", f"e{entry.pk}-reflection": "역사가 좋아졌다"},
    )
    entry.refresh_from_db()
    assert entry.included
    client.post(reverse("learning:share_create"), {"recipient": "서울고등학교", "days": "7"})
    page = client.get(reverse("learning:portfolio")).content.decode()
    assert "/learning/shared/" in page
    token = page.split("/learning/shared/")[1].split("/")[0]
    client.logout()
    shared = client.get(reverse("learning:shared", args=[token]))
    assert shared.status_code == 200 and "한국사능력검정 3급" in shared.content.decode()
    assert shared["Cache-Control"] == "no-store"
    assert PortfolioShare.objects.get().open_count == 1
    assert client.get(reverse("learning:shared", args=["nonsense"])).status_code == 404
    pdf = client.get(reverse("learning:shared_pdf", args=[token]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    _login(client, learner)
    pdf = client.get(reverse("learning:portfolio_pdf"))
    assert pdf["Content-Type"] == "application/pdf"


def test_share_link_answers_only_reads(client):
    """Opening a share link is logged; a POST (a crawler, a form elsewhere) must not count as an
    opening nor write anything."""
    learner = member()
    share = PortfolioShare.objects.create(
        learner=learner, recipient="서울고등학교", expires_at=now() + dt.timedelta(days=7)
    )
    from seoullearn.learning.selectors import share_token

    token = share_token(share)
    for name in ("learning:shared", "learning:shared_pdf"):
        assert client.post(reverse(name, args=[token])).status_code == 405
    share.refresh_from_db()
    assert share.open_count == 0
    assert not AccessLog.objects.exists()


def test_evidence_download_owner_and_operator_only(client):
    learner = member()
    entry = services.certificate_add(
        learner=learner, title="ITQ", issuer="생산성본부", occurred_on=today(), data=PNG
    )
    url = reverse("learning:certificate_evidence", args=[entry.public_id])
    assert _login(client, member()).get(url).status_code == 403
    assert _login(client, GuardianFactory()).get(url).status_code == 403
    staff = operator()
    response = _login(client, staff).get(url)
    assert response.status_code == 200 and response.content == PNG
    assert AccessLog.objects.filter(actor=staff, subject=learner, action="download").exists()


def test_share_revoke_wrong_owner(client):
    learner = member()
    share = PortfolioShare.objects.create(
        learner=learner, recipient="x", expires_at=now() + dt.timedelta(days=1)
    )
    _login(client, member()).post(reverse("learning:share_revoke", args=[share.public_id]))
    share.refresh_from_db()
    assert share.revoked_at is None


def test_guardian_sees_own_child_only_and_is_logged(client):
    guardian: Any = GuardianFactory()
    child = learner_with_profile()
    other_child = learner_with_profile()
    _link(guardian, child)
    _login(client, guardian)
    home = client.get(reverse("learning:guardian_home")).content.decode()
    assert child.display_name in home and other_child.display_name not in home
    response = client.get(reverse("learning:guardian_child", args=[child.public_id]))
    assert response.status_code == 200
    assert AccessLog.objects.filter(actor=guardian, subject=child).exists()
    response = client.get(reverse("learning:guardian_child", args=[other_child.public_id]))
    assert response.status_code == 403
    _login(client, child)
    assert client.get(reverse("learning:guardian_child", args=[child.public_id])).status_code == 403


def test_backoffice_pages_operator_only_and_exportable(client):
    learner = learner_with_profile()
    services.plan_generate(learner=learner)
    services.certificate_add(
        learner=learner, title="ITQ", issuer="생산성본부", occurred_on=today(), data=PNG
    )
    for name in ("learning_backoffice:home", "learning_backoffice:certificates"):
        assert _login(client, learner).get(reverse(name)).status_code == 403
        assert _login(client, MentorFactory()).get(reverse(name)).status_code == 403
        staff = operator()
        _login(client, staff)
        response = client.get(reverse(name))
        assert response.status_code == 200
        csv = client.get(reverse(name) + "?export=csv")
        assert csv["Content-Type"].startswith("text/csv")
        xlsx = client.get(reverse(name) + "?export=xlsx")
        assert xlsx.status_code == 200
        assert AccessLog.objects.filter(actor=staff, action="export").exists()


def test_goals_and_portfolio_entries_of_someone_else_are_refused(client):
    owner = member()
    goal = weekly_goal(owner)
    entry = services.certificate_add(
        learner=owner, title="ITQ", issuer="생산성본부", occurred_on=today(), data=PNG
    )
    _login(client, member())
    response = client.post(
        reverse("learning:goal_status", args=[goal.public_id]), {"status": "done"}
    )
    assert response.status_code in (302, 403)
    response = client.post(
        reverse("learning:portfolio_entry", args=[entry.public_id]),
        {f"e{entry.pk}-included": "on", f"e{entry.pk}-reflection": "남의 성찰"},
    )
    assert response.status_code in (403, 404)
    goal.refresh_from_db()
    entry.refresh_from_db()
    assert goal.status == "active"
    assert entry.reflection == "" and not entry.included
