"""The permission sweep's building blocks: every URL pattern of the project, a small world with
one object of every kind a URL can name, and the concrete URL of each pattern in that world.

Used by ``tests/test_permission_sweep.py``; see ``docs/testing.md``.
"""

from __future__ import annotations

import datetime as dt
import inspect
import re
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RoutePattern

# --- the URL patterns ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Endpoint:
    """One URL pattern: its route as written, the names it is reversed by, and for the JSON API
    the HTTP methods its operations accept (pages do not declare theirs)."""

    route: str
    names: tuple[str, ...]
    params: tuple[str, ...]
    api_methods: frozenset[str] | None = None

    @property
    def name(self) -> str:
        return self.names[0] if self.names else ""

    def __str__(self) -> str:
        return f"/{self.route}" + (f" ({self.name})" if self.name else "")


_ROUTE_PARAM = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<parameter>[^>]+)>")
_REGEX_PARAM = re.compile(r"\(\?P<(?P<parameter>\w+)>")


def _params(pattern: Any) -> tuple[str, ...]:
    text = str(pattern)
    if isinstance(pattern, RoutePattern):
        return tuple(m.group("parameter") for m in _ROUTE_PARAM.finditer(text))
    return tuple(m.group("parameter") for m in _REGEX_PARAM.finditer(text))


def _ninja_methods(callback: Any) -> frozenset[str] | None:
    """The methods of a django-ninja path (its view closes over the ``PathView``)."""
    if getattr(callback, "__name__", "") not in ("sync_view_wrapper", "async_view_wrapper"):
        return None
    path_view = inspect.getclosurevars(callback).nonlocals.get("self")
    operations = getattr(path_view, "operations", None)
    if operations is None:
        return None
    return frozenset(m for op in operations for m in op.methods)


def endpoints() -> list[Endpoint]:
    """Every URL pattern reachable from the root URLconf, walking includes recursively (the
    NinjaAPI under /api/, the LRS under /xapi/, the back office, allauth, the Django admin).
    Patterns that share a route (django-ninja registers one per operation) are merged."""
    found: dict[str, Endpoint] = {}

    def walk(resolver: URLResolver, prefix: str, namespaces: tuple[str, ...]) -> None:
        for entry in resolver.url_patterns:
            if isinstance(entry, URLResolver):
                ns = namespaces + ((entry.namespace,) if entry.namespace else ())
                walk(entry, prefix + str(entry.pattern), ns)
                continue
            assert isinstance(entry, URLPattern)
            route = prefix + str(entry.pattern)
            name = ":".join((*namespaces, entry.name)) if entry.name else ""
            params = _params(entry.pattern)
            methods = _ninja_methods(entry.callback)
            if route in found:
                old = found[route]
                found[route] = Endpoint(
                    route,
                    old.names + ((name,) if name else ()),
                    old.params,
                    (old.api_methods or frozenset()) | (methods or frozenset())
                    if old.api_methods is not None or methods is not None
                    else None,
                )
            else:
                found[route] = Endpoint(route, (name,) if name else (), params, methods)

    walk(get_resolver(), "", ())
    return list(found.values())


# --- concrete URLs ------------------------------------------------------------------------------

# A value that names nothing: a well-formed UUID no row has.
MISSING_UUID = "00000000-0000-4000-8000-000000000000"


def fill(endpoint: Endpoint, values: dict[str, Any]) -> str:
    """The concrete path of ``endpoint`` with each parameter replaced by ``values[name]``."""
    route = endpoint.route

    def route_value(match: re.Match[str]) -> str:
        return str(values[match.group("parameter")])

    if "(?P<" in route or route.startswith("^") or "^" in route:
        # A regex route (allauth's keys, the admin's app index and catch-all): strip anchors
        # and replace each named group.
        out = []
        i = 0
        text = route.replace("^", "").replace("$", "")
        while i < len(text):
            if text.startswith("(?P<", i):
                end_name = text.index(">", i)
                name = text[i + 4 : end_name]
                depth, j = 1, end_name + 1
                while depth:
                    if text[j] == "\\":
                        j += 2
                        continue
                    depth += {"(": 1, ")": -1}.get(text[j], 0)
                    j += 1
                out.append(str(values[name]))
                i = j
            else:
                out.append(text[i])
                i += 1
        return "/" + "".join(out)
    return "/" + _ROUTE_PARAM.sub(route_value, route)


# --- the world ----------------------------------------------------------------------------------

PDF_BYTES = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


@dataclass
class World:
    """One object of every kind a URL names, owned by ``learner`` where a learner owns it."""

    users: dict[str, Any] = field(default_factory=dict)
    objects: dict[str, Any] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)


def build_world() -> World:
    """Create the world with the apps' own factories and services (inside the test's database)."""
    from seoullearn.accounts import services as account_services
    from seoullearn.accounts.models import ConsentRecord, GuardianLink
    from seoullearn.accounts.tests.conftest import invite, signed_up
    from seoullearn.accounts.tests.factories import (
        AuditorFactory,
        GuardianFactory,
        MentorFactory,
        OperatorFactory,
        UserFactory,
    )
    from seoullearn.activities.models import CareerApplication, Deliverable
    from seoullearn.activities.tests.factories import (
        ApplicationFactory as CareerApplicationFactory,
    )
    from seoullearn.activities.tests.factories import (
        BookingFactory,
        CohortFactory,
        ConsultantFactory,
        LectureFactory,
        RegistrationFactory,
        ServiceFactory,
        SlotFactory,
        member,
    )
    from seoullearn.core.files import store_encrypted
    from seoullearn.core.roles import Role
    from seoullearn.core.timeutil import now, today
    from seoullearn.eligibility import services as eligibility_services
    from seoullearn.eligibility.models import BulkApproval, ExportJob, Membership
    from seoullearn.eligibility.tests.conftest import with_totp
    from seoullearn.eligibility.tests.factories import (
        ApplicationFactory,
        birth_date_for_age,
        verified_guardian_consent,
    )
    from seoullearn.enrollment import services as enrollment_services
    from seoullearn.enrollment.tests.factories import staff_of, world
    from seoullearn.learning import selectors as learning_selectors
    from seoullearn.learning import services as learning_services
    from seoullearn.learning.models import PortfolioEntry, PortfolioShare
    from seoullearn.learning.tests.factories import weekly_goal, with_profile
    from seoullearn.lrs import services as lrs_services
    from seoullearn.mentoring.models import (
        Award,
        Event,
        Match,
        MatchingRun,
        MentoringGroup,
        Session,
    )
    from seoullearn.mentoring.tests.factories import (
        MenteeApplicationFactory,
        TermFactory,
        make_coordinator,
        make_ready_mentor,
    )

    w = World()
    market = world()
    programme = market.programme

    # People, one per role (staff with an authenticator unless named otherwise).
    learner = signed_up(member(username="sweep_learner", birth_date=birth_date_for_age(15)))
    child = signed_up(member(username="sweep_child", birth_date=birth_date_for_age(12)))
    guardian = signed_up(GuardianFactory(username="sweep_guardian"))
    verified_guardian_consent(child, guardian)
    operator = with_totp(OperatorFactory(username="sweep_operator"))
    w.users.update(
        learner=learner,
        child=child,
        guardian=guardian,
        mentor=signed_up(MentorFactory(username="sweep_mentor")),
        operator=operator,
        operator_without_mfa=OperatorFactory(username="sweep_operator_nomfa"),
        auditor=with_totp(AuditorFactory(username="sweep_auditor")),
        consultant=ConsultantFactory(username="sweep_consultant"),
        provider_staff=staff_of(market.offerings["mbest"].provider, username="sweep_provider"),
    )

    # Accounts: a consent, a personal token, guardian links (verified and invited).
    w.objects["consent"] = ConsentRecord.objects.filter(subject=learner).first()
    w.objects["api_token"], _raw = account_services.api_token_create(user=learner, name="sweep")
    w.objects["guardian_link"] = GuardianLink.objects.get(learner=child, guardian=guardian)
    invited_child = signed_up(
        UserFactory(username="sweep_invited", role=Role.LEARNER, birth_date=birth_date_for_age(11))
    )
    w.objects["invitation"], w.tokens["guardian_accept"], _code = invite(invited_child)

    # Eligibility: an application with evidence, a membership, a bulk approval, an export.
    application = ApplicationFactory(applicant=learner, programme=programme)
    w.objects["application"] = application
    w.objects["evidence"] = eligibility_services.evidence_add(
        application=application,
        actor=learner,
        kind="near_poor_certificate",
        upload=__import__("io").BytesIO(PDF_BYTES),
        filename="evidence.pdf",
    )
    w.objects["membership"] = Membership.objects.filter(user=learner).first()
    w.objects["bulk_job"] = BulkApproval.objects.create(requested_by=operator, reason="sweep")
    w.objects["export_job"] = ExportJob.objects.create(
        requested_by=operator, kind=ExportJob.Kind.APPLICATIONS, fmt="csv"
    )

    # Catalog and marketplace: providers, offerings, contracts; the learner's selection and seat.
    w.objects["offering"] = market.offerings["soobakc"]
    w.objects["provider"] = market.offerings["mbest"].provider
    w.objects["other_provider"] = market.offerings["mega"].provider
    w.objects["contract"] = market.contracts["mbest"]
    selection = enrollment_services.selection_select(
        actor=learner, offering=market.offerings["mbest"]
    )
    w.objects["selection"] = selection
    w.objects["seat"] = selection.seat

    # The LRS: a client credential.
    w.objects["lrs_client"], _secret = lrs_services.lrs_client_create(name="sweep", scopes=("all",))

    # Mentoring: a ready mentor with a group, the learner matched to it, a session, a run, an
    # award, an event, a coordinator's university.
    term: Any = TermFactory()
    mentor_application = make_ready_mentor(term=term, user=w.users["mentor"])
    mentee_application: Any = MenteeApplicationFactory(term=term, user=learner)
    run = MatchingRun.objects.create(term=term, created_by=operator, status=MatchingRun.Status.DONE)
    group = MentoringGroup.objects.create(
        term=term, mentor=mentor_application, run=run, mode="online", started_on=today()
    )
    w.objects.update(
        mentor_application=mentor_application,
        run=run,
        match=Match.objects.create(group=group, mentee=mentee_application, started_on=today()),
        session=Session.objects.create(group=group, date=today(), mode="online", topic="복습"),
        award=Award.objects.create(
            term=term,
            kind=Award.Kind.HONORARY_MENTOR,
            period_start=today(),
            period_end=today(),
            mentor=mentor_application,
            rank=1,
            score=90.0,
            status=Award.Status.PUBLISHED,
            published_at=now(),
        ),
        event=Event.objects.create(
            term=term,
            kind=Event.Kind.BONDING,
            title="결연 행사",
            starts_at=now() + dt.timedelta(days=10),
            place="서울시청",
        ),
    )
    w.users["coordinator"] = make_coordinator(mentor_application.university)

    # Activities: a consulting service, slot and booking; a lecture and registration; a career
    # cohort, the learner's selected application and a deliverable.
    service = ServiceFactory(programme=programme)
    slot = SlotFactory(consultant=w.users["consultant"])
    cohort: Any = CohortFactory(programme=programme)
    career_application: Any = CareerApplicationFactory(
        cohort=cohort, learner=learner, status=CareerApplication.Status.SELECTED
    )
    lecture = LectureFactory(programme=programme)
    w.objects.update(
        service=service,
        slot=slot,
        booking=BookingFactory(
            slot=SlotFactory(consultant=w.users["consultant"]), service=service, learner=learner
        ),
        lecture=lecture,
        registration=RegistrationFactory(lecture=lecture, learner=learner),
        cohort=cohort,
        career_application=career_application,
        deliverable=Deliverable.objects.create(
            application=career_application,
            stage=cohort.stages[0],
            title="탐색 보고서",
            file=store_encrypted(PDF_BYTES, folder="deliverables"),
            content_type="application/pdf",
            size_bytes=len(PDF_BYTES),
            uploaded_by=learner,
        ),
    )

    # Learning: goals and time, a goal, the week's plan and an item, a certificate entry, a
    # share link of the portfolio.
    with_profile(learner)
    w.objects["goal"] = weekly_goal(learner)
    plan = learning_services.plan_generate(learner=learner)
    w.objects["plan"] = plan
    w.objects["plan_item"] = plan.items.first()
    entry = learning_services.certificate_add(
        learner=learner,
        title="컴퓨터활용능력",
        issuer="대한상공회의소",
        occurred_on=today(),
        data=PDF_BYTES,
    )
    PortfolioEntry.objects.filter(pk=entry.pk).update(
        included=True, verification=PortfolioEntry.Verification.VERIFIED
    )
    w.objects["portfolio_entry"] = entry
    share = PortfolioShare.objects.create(
        learner=learner, recipient="서울고등학교", expires_at=now() + dt.timedelta(days=7)
    )
    w.objects["share"] = share
    w.tokens["share"] = learning_selectors.share_token(share)
    return w


def url_values(w: World) -> dict[str, dict[str, Any]]:
    """For each URL name, the value of each of its parameters in ``w``."""
    o = w.objects
    app_id = o["application"].public_id
    values: dict[str, dict[str, Any]] = {
        # accounts
        "api:token_revoke": {"public_id": o["api_token"].public_id},
        "api:consent_withdraw": {"public_id": o["consent"].public_id},
        "api:invitation_resend": {"public_id": o["invitation"].public_id},
        "api:invitation_revoke": {"public_id": o["invitation"].public_id},
        "accounts:consent_withdraw": {"public_id": o["consent"].public_id},
        "accounts:token_revoke": {"public_id": o["api_token"].public_id},
        "accounts:guardian_child": {"public_id": w.users["child"].public_id},
        "accounts:guardian_resend": {"public_id": o["invitation"].public_id},
        "accounts:guardian_link_revoke": {"public_id": o["guardian_link"].public_id},
        "accounts:guardian_accept": {"token": w.tokens["guardian_accept"]},
        "accounts_backoffice:user_detail": {"public_id": w.users["learner"].public_id},
        "accounts_backoffice:mfa_reset": {"public_id": w.users["operator"].public_id},
        "accounts_backoffice:link_revoke": {"public_id": o["guardian_link"].public_id},
        # eligibility
        "api:get_application": {"application_id": app_id},
        "api:upload_evidence": {"application_id": app_id},
        "api:delete_evidence": {"application_id": app_id, "evidence_id": o["evidence"].public_id},
        "api:submit_application": {"application_id": app_id},
        "api:withdraw_application": {"application_id": app_id},
        "api:download_evidence": {"evidence_id": o["evidence"].public_id},
        "api:review_detail": {"application_id": app_id},
        "api:review_claim": {"application_id": app_id},
        "api:review_release": {"application_id": app_id},
        "api:review_decide": {"application_id": app_id},
        "api:review_bulk_job": {"job_id": o["bulk_job"].public_id},
        "api:membership_revoke": {"membership_id": o["membership"].public_id},
        "eligibility:application": {"pk": app_id},
        "eligibility:step_applicant": {"pk": app_id},
        "eligibility:step_household": {"pk": app_id},
        "eligibility:step_evidence": {"pk": app_id},
        "eligibility:evidence_delete": {"pk": app_id, "evidence_pk": o["evidence"].public_id},
        "eligibility:step_review": {"pk": app_id},
        "eligibility:withdraw": {"pk": app_id},
        "eligibility:evidence_file": {"pk": o["evidence"].public_id},
        "eligibility_backoffice:bulk_job": {"pk": o["bulk_job"].public_id},
        "eligibility_backoffice:export_job": {"pk": o["export_job"].public_id},
        "eligibility_backoffice:export_download": {"pk": o["export_job"].public_id},
        "eligibility_backoffice:application": {"pk": app_id},
        "eligibility_backoffice:claim": {"pk": app_id},
        "eligibility_backoffice:decide": {"pk": app_id},
        "eligibility_backoffice:evidence_file": {"pk": o["evidence"].public_id},
        "eligibility_backoffice:member": {"pk": o["membership"].public_id},
        "eligibility_backoffice:revoke": {"pk": o["membership"].public_id},
        # catalog and marketplace
        "catalog:logo": {"public_id": o["provider"].public_id},
        "catalog_bo:provider_edit": {"public_id": o["provider"].public_id},
        "catalog_bo:offering_edit": {"public_id": o["offering"].public_id},
        "api:switch": {"selection_id": o["selection"].public_id},
        "api:cancel": {"selection_id": o["selection"].public_id},
        "enrollment:select": {"offering_id": o["offering"].public_id},
        "enrollment:switch": {"selection_id": o["selection"].public_id},
        "enrollment:cancel": {"selection_id": o["selection"].public_id},
        "enrollment:launch": {"seat_id": o["seat"].public_id},
        "enrollment_bo:contract_edit": {"public_id": o["contract"].public_id},
        "enrollment_bo:seat_release": {"public_id": o["seat"].public_id},
        "enrollment_bo:seat_retry": {"public_id": o["seat"].public_id},
        "enrollment_bo:integration": {"provider_id": o["provider"].public_id},
        # LRS back office
        "lrs_backoffice:client": {"public_id": o["lrs_client"].public_id},
        "lrs_backoffice:client_rotate": {"public_id": o["lrs_client"].public_id},
        "lrs_backoffice:client_revoke": {"public_id": o["lrs_client"].public_id},
        # mentoring
        "api:log_session": {"session_id": o["session"].public_id},
        "api:feedback": {"session_id": o["session"].public_id},
        "api:run_status": {"run_id": o["run"].public_id},
        "api:run_publish": {"run_id": o["run"].public_id},
        "mentoring:session_log": {"session_id": o["session"].public_id},
        "mentoring:mentee_feedback": {"session_id": o["session"].public_id},
        "mentoring:coordinator_recommend": {"application_id": o["mentor_application"].public_id},
        "mentoring:event_register": {"event_id": o["event"].public_id},
        "mentoring:award_certificate": {"award_id": o["award"].public_id},
        "mentoring_ops:application": {"application_id": o["mentor_application"].public_id},
        "mentoring_ops:run": {"run_id": o["run"].public_id},
        "mentoring_ops:match_end": {"match_id": o["match"].public_id},
        # activities
        "api:consulting_booking": {"booking_id": o["booking"].public_id},
        "api:consulting_cancel": {"booking_id": o["booking"].public_id},
        "api:consulting_complete": {"booking_id": o["booking"].public_id},
        "api:consulting_no_show": {"booking_id": o["booking"].public_id},
        "api:consulting_notes": {"booking_id": o["booking"].public_id},
        "api:consulting_survey": {"booking_id": o["booking"].public_id},
        "api:lecture_register": {"lecture_id": o["lecture"].public_id},
        "api:lecture_check_in": {"lecture_id": o["lecture"].public_id},
        "api:lecture_survey": {"lecture_id": o["lecture"].public_id},
        "api:cohort_apply": {"cohort_id": o["cohort"].public_id},
        "api:application_withdraw": {"application_id": o["career_application"].public_id},
        "activities:consulting_book": {"slot_id": o["slot"].public_id},
        "activities:booking": {"booking_id": o["booking"].public_id},
        "activities:booking_cancel": {"booking_id": o["booking"].public_id},
        "activities:booking_survey": {"booking_id": o["booking"].public_id},
        "activities:booking_record": {"booking_id": o["booking"].public_id},
        "activities:slot_withdraw": {"slot_id": o["slot"].public_id},
        "activities:lecture_register": {"lecture_id": o["lecture"].public_id},
        "activities:lecture_unregister": {"lecture_id": o["lecture"].public_id},
        "activities:lecture_checkin": {"lecture_id": o["lecture"].public_id},
        "activities:lecture_survey": {"lecture_id": o["lecture"].public_id},
        "activities:career_apply": {"cohort_id": o["cohort"].public_id},
        "activities:career_withdraw": {"application_id": o["career_application"].public_id},
        "activities:career_upload": {"application_id": o["career_application"].public_id},
        "activities:deliverable_download": {"deliverable_id": o["deliverable"].public_id},
        "activities_backoffice:service_edit": {"service_id": o["service"].public_id},
        "activities_backoffice:cohort": {"cohort_id": o["cohort"].public_id},
        "activities_backoffice:cohort_action": {"cohort_id": o["cohort"].public_id},
        "activities_backoffice:application_action": {
            "application_id": o["career_application"].public_id
        },
        "activities_backoffice:lecture": {"lecture_id": o["lecture"].public_id},
        "activities_backoffice:lecture_attend": {"registration_id": o["registration"].public_id},
        # learning
        "api:goal_status": {"goal_id": o["goal"].public_id},
        "api:plan_get": {"plan_id": o["plan"].public_id},
        "api:plan_comment": {"plan_id": o["plan"].public_id},
        "api:plan_item_add": {"plan_id": o["plan"].public_id},
        "api:plan_item_update": {"item_id": o["plan_item"].public_id},
        "api:plan_item_done": {"item_id": o["plan_item"].public_id},
        "api:portfolio_entry": {"entry_id": o["portfolio_entry"].public_id},
        "api:share_revoke": {"share_id": o["share"].public_id},
        "api:guardian_child_progress": {"child_id": w.users["child"].public_id},
        "learning:goal_status": {"goal_id": o["goal"].public_id},
        "learning:plan_detail": {"plan_id": o["plan"].public_id},
        "learning:plan_item_add": {"plan_id": o["plan"].public_id},
        "learning:plan_item_edit": {"item_id": o["plan_item"].public_id},
        "learning:plan_item_done": {"item_id": o["plan_item"].public_id},
        "learning:plan_item_delete": {"item_id": o["plan_item"].public_id},
        "learning:certificate_evidence": {"entry_id": o["portfolio_entry"].public_id},
        "learning:portfolio_entry": {"entry_id": o["portfolio_entry"].public_id},
        "learning:share_revoke": {"share_id": o["share"].public_id},
        "learning:shared": {"token": w.tokens["share"]},
        "learning:shared_pdf": {"token": w.tokens["share"]},
        "learning:guardian_child": {"child_id": w.users["child"].public_id},
        "learning_backoffice:certificate_verify": {"entry_id": o["portfolio_entry"].public_id},
        # allauth's e-mail confirmation and password reset keys: a key that is not valid
        # (the pages are public and answer "bad link").
        "account_confirm_email": {"key": "not-a-valid-key"},
        "account_reset_password_from_key": {"uidb36": "1", "key": "not-a-valid-key"},
    }
    return values


def write_bodies(w: World) -> dict[str, Any]:
    """For writes whose body is checked before the caller's ownership, a body the owner's call
    would succeed with (so that a stranger's call is refused for being a stranger, not for its
    shape). JSON for the API, form fields for pages; ``MULTIPART`` names are uploads."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    item = w.objects["plan_item"]
    reason = {"reason": "스윕 검사"}
    return {
        "api:consent_withdraw": reason,
        "api:invitation_revoke": reason,
        "api:upload_evidence": {
            "kind": "near_poor_certificate",
            "file": SimpleUploadedFile("e.pdf", PDF_BYTES, content_type="application/pdf"),
        },
        "api:withdraw_application": reason,
        "api:review_decide": {"decision": "approve", "reason": "스윕 검사"},
        "api:review_bulk_approve": {
            "applications": [str(w.objects["application"].public_id)],
            "reason": "스윕 검사",
        },
        "api:review_bulk_approve_all": reason,
        "api:put_policy": {"policy": {}, "reason": "스윕 검사"},
        "api:membership_revoke": reason,
        "api:switch": {"offering_id": str(w.objects["offering"].public_id)},
        "api:log_session": {"notes": "복습", "attended": {}},
        "api:feedback": {"rating": 5},
        "api:consulting_survey": {"rating": 5},
        "api:goal_status": {"status": "done"},
        "api:plan_comment": {"body": "잘했어요"},
        "api:plan_item_add": {"day": item.day.isoformat(), "minutes": 10, "subject": "math"},
        "api:plan_item_update": {"day": item.day.isoformat(), "minutes": 10, "subject": "math"},
        "api:plan_item_done": {"done": True},
        "api:portfolio_entry": {"included": False},
        "learning:goal_status": {"status": "done"},
    }


MULTIPART = {"api:upload_evidence"}


def body_for(endpoint: Endpoint, method: str, bodies: dict[str, Any]) -> Any:
    """The valid body of ``endpoint`` for ``method`` (a route shared by several API operations
    has one name per operation: the GET's body is never wanted)."""
    if method == "GET":
        return None
    for name in endpoint.names:
        if name in bodies:
            return bodies[name]
    return None


# The Django admin's parameters: the admin refuses everyone but superusers before it reads them.
ADMIN_VALUES = {"object_id": "1", "content_type_id": "1", "app_label": "auth", "url": "missing/"}


def concrete_url(endpoint: Endpoint, values: dict[str, dict[str, Any]]) -> str:
    """The endpoint's path in the world; raises ``LookupError`` naming a parameter that has no
    value (a new URL with parameters needs an entry in ``url_values``)."""
    if not endpoint.params:
        return fill(endpoint, {})
    for name in endpoint.names:
        if name in values:
            return fill(endpoint, values[name])
    if endpoint.route.startswith("django-admin/"):
        return fill(endpoint, ADMIN_VALUES)
    raise LookupError(
        f"{endpoint}: no value for {', '.join(endpoint.params)}; "
        "add the URL name to url_values() in tests/sweep_world.py"
    )


def random_uuid() -> str:
    return str(uuid.uuid4())
