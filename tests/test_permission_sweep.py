"""The permission sweep: every URL of the project, refused to whoever must not use it.

The project rule is that every endpoint refuses the wrong role and the wrong owner. Each app's
tests check its own endpoints; this sweep checks all of them at once, from the URL resolver, so a
new URL cannot be forgotten:

1. an anonymous caller is refused by every endpoint that is not in ``PUBLIC`` (a login redirect,
   401, 403 or 405; never data, never a server error);
2. every back-office page refuses learners, guardians, mentors, consultants, university
   coordinators and provider staff, the auditor everywhere but the access log, and sends an
   operator without an authenticator app to the TOTP set-up; the API's operator operations
   refuse every other role;
3. an anonymous POST (PUT, PATCH, DELETE) changes no row in any table;
4. a signed-in stranger of every role is refused another person's objects, except the objects
   in ``SHARED`` that every member may see;
5. no endpoint answers a server error to any role, with real objects or with identifiers that
   name nothing.

How it works and how to extend the allow-lists: ``docs/testing.md``.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Iterator
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest
from django.apps import apps
from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.test import Client, override_settings
from django.urls import include, path, reverse
from django.views.decorators.csrf import csrf_exempt

from tests.sweep_world import (
    MISSING_UUID,
    MULTIPART,
    Endpoint,
    World,
    body_for,
    build_world,
    concrete_url,
    endpoints,
    fill,
    url_values,
    write_bodies,
)

pytestmark = pytest.mark.django_db

# Endpoints that anyone may call without signing in, by URL name, each with its reason. An
# endpoint that is not listed here must refuse an anonymous caller.
PUBLIC: dict[str, str] = {
    "home": "the programme's front page: who can join and how to apply",
    "healthz": "the load balancer's health check; answers 'ok' and nothing else",
    "set_language": "the language switch (sets a cookie)",
    "javascript-catalog": "the interface's translations for scripts",
    "api:openapi-json": "the API's OpenAPI schema is its public documentation",
    "api:openapi-view": "the API documentation page (Swagger UI from local files)",
    "api:api-root": "the API's root has no operation and answers 404",
    "api:notices": "the consent notices must be readable before anyone signs up",
    "api:list_offerings": "the catalogue of offerings and the selection rules are public",
    "api:get_policy": "the eligibility rules (who can join) are public",
    "accounts:notices": "the consent notices page (public, as above)",
    "accounts:signup": "sign-up",
    "accounts:guardian_accept": "the guardian's invitation link; the token is the credential, "
    "and the page only offers to sign up or sign in",
    "catalog:catalog": "the public catalogue page",
    "catalog:logo": "providers' logos shown in the public catalogue",
    "enrollment:jwks": "the public keys providers use to check single sign-on tokens",
    "enrollment:oauth_token": "OAuth2 token endpoint; clients authenticate with their credentials",
    "lrs:oauth_token": "OAuth2 token endpoint of the LRS; clients authenticate likewise",
    "lrs:about": "the xAPI About resource is public by the xAPI specification",
    "learning:shared": "a portfolio share link; the signed, expiring token is the credential",
    "learning:shared_pdf": "the PDF of a portfolio share link, with the same token",
    "account_login": "sign-in",
    "account_logout": "sign-out (redirects home when nobody is signed in)",
    "account_signup": "allauth's sign-up (our accounts:signup takes the path first)",
    "account_inactive": "allauth's 'account inactive' notice",
    "account_email_verification_sent": "allauth's 'check your e-mail' notice",
    "account_confirm_email": "the e-mail confirmation link; the key is the credential",
    "account_reset_password": "password reset request",
    "account_reset_password_done": "password reset: 'e-mail sent' notice",
    "account_reset_password_from_key": "the password reset link; the key is the credential",
    "account_reset_password_from_key_done": "password reset: 'password changed' notice",
    "admin:login": "the Django admin's own sign-in (superusers only get further)",
    "admin:logout": "the Django admin's sign-out (redirects when nobody is signed in)",
}

# Objects that any signed-in member may open (not owned by one person), by URL name: a stranger
# reaching them is not a wrong-owner hole.
SHARED: dict[str, str] = {
    "enrollment:select": "an offering of the catalogue",
    "activities:consulting_book": "an open consulting slot any member may book",
    "activities:lecture_register": "a special lecture open to every member",
    "activities:lecture_unregister": "the same lecture (answers for one's own registration)",
    "activities:lecture_checkin": "the same lecture (checks one's own registration)",
    "activities:lecture_survey": "the same lecture (one's own survey)",
    "activities:career_apply": "a career programme cohort that is recruiting",
    "api:lecture_register": "a special lecture open to every member",
    "api:lecture_check_in": "the same lecture",
    "api:lecture_survey": "the same lecture",
    "api:cohort_apply": "a recruiting career cohort",
    "mentoring:event_register": "a mentoring event open to mentors and mentees",
}

# The request an anonymous caller sends where the default (an empty form, or ``{}`` for the
# JSON API) would be refused for its shape before its credentials are looked at.
ANONYMOUS_BODIES: dict[str, Any] = {"api:usage_events": {"events": []}}
# The LRS answers 400 to a request without the xAPI version header before authentication.
XAPI_HEADERS = {"X-Experience-API-Version": "1.0.3"}

LOGIN_PATHS = ("/accounts/login/", "/django-admin/login/")
UNSAFE = ("POST", "PUT", "PATCH", "DELETE")

# Sessions are written by the sign-in pages for anyone; everything else counts.
FINGERPRINT_SKIPS = {"sessions.session"}


# --- helpers ------------------------------------------------------------------------------------


ROOT_URLCONF = settings.ROOT_URLCONF
ENDPOINTS = endpoints()


def is_public(endpoint: Endpoint) -> bool:
    return any(name in PUBLIC for name in endpoint.names)


def is_shared(endpoint: Endpoint) -> bool:
    return any(name in SHARED for name in endpoint.names)


def is_backoffice(endpoint: Endpoint) -> bool:
    return endpoint.route.startswith("backoffice/")


def methods_of(endpoint: Endpoint, *, safe: bool) -> list[str]:
    """GET, or the unsafe methods worth trying: the API's declared ones, POST on pages, and the
    xAPI resources' writes."""
    if endpoint.api_methods is not None:
        declared = sorted(endpoint.api_methods)
        return [m for m in declared if (m in UNSAFE) != safe]
    if safe:
        return ["GET"]
    if endpoint.route.startswith("xapi/") and endpoint.name != "lrs:oauth_token":
        return ["POST", "PUT", "DELETE"]
    return ["POST"]


def call(client: Client, method: str, url: str, endpoint: Endpoint, body: Any = None) -> Any:
    """One request: JSON for the API and the LRS, a form for pages, multipart for uploads."""
    headers = XAPI_HEADERS if endpoint.route.startswith("xapi/") else {}
    if method == "GET":
        return client.get(url, headers=headers)
    if MULTIPART.intersection(endpoint.names) and body is not None:
        return client.post(url, body, headers=headers)
    if endpoint.api_methods is not None or endpoint.route.startswith("xapi/"):
        payload = body if body is not None else ANONYMOUS_BODIES.get(endpoint.name, {})
        return client.generic(
            method, url, json.dumps(payload), content_type="application/json", headers=headers
        )
    return client.generic(
        method,
        url,
        urlencode(body or {}),
        content_type="application/x-www-form-urlencoded",
        headers=headers,
    )


def login_redirect(response: Any) -> bool:
    if response.status_code not in (301, 302, 303, 307):
        return False
    return urlsplit(response["Location"]).path in LOGIN_PATHS


def refused(response: Any) -> bool:
    """A refusal that shows nothing: a redirect to sign in, 401, 403, or a method not allowed."""
    return response.status_code in (401, 403, 405) or login_redirect(response)


def describe(method: str, url: str, endpoint: Endpoint, response: Any) -> str:
    where = response.get("Location", "")
    return f"{method} {url} [{endpoint.name or endpoint.route}] -> {response.status_code}" + (
        f" {where}" if where else ""
    )


class Fingerprint:
    """Row count of every table, plus the newest ``updated_at`` where a table has one, in one
    query: any insert, delete or (timestamped) update shows."""

    def __init__(self) -> None:
        quote = connection.ops.quote_name
        parts = []
        for model in apps.get_models():
            if model._meta.label_lower in FINGERPRINT_SKIPS or not model._meta.managed:
                continue
            table = quote(model._meta.db_table)
            parts.append(f"(SELECT COUNT(*) FROM {table})")
            if any(f.name == "updated_at" for f in model._meta.concrete_fields):
                parts.append(f"(SELECT MAX({quote('updated_at')}) FROM {table})")
        self.labels = [m._meta.label for m in apps.get_models()]
        self.sql = "SELECT " + ", ".join(parts)

    def take(self) -> tuple[Any, ...]:
        with connection.cursor() as cursor:
            cursor.execute(self.sql)
            return tuple(cursor.fetchone())


def anonymous() -> Client:
    """A client that answers a view's exception with a 500 response instead of raising it."""
    return Client(raise_request_exception=False)


def client_for(user: Any) -> Client:
    client = anonymous()
    client.force_login(user)
    return client


def check_allow_list_names(names: Iterable[str]) -> list[str]:
    known = {name for endpoint in ENDPOINTS for name in endpoint.names}
    return sorted(set(names) - known)


# --- fixtures -----------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _quiet_refusals() -> Iterator[None]:
    """Thousands of refusals are expected here; Django would log each 4xx as a warning (server
    errors are still logged)."""
    logger = logging.getLogger("django.request")
    level = logger.level
    logger.setLevel(logging.ERROR)
    yield
    logger.setLevel(level)


@pytest.fixture
def world() -> World:
    return build_world()


@pytest.fixture
def urls(world: World) -> dict[Endpoint, str]:
    values = url_values(world)
    found: dict[Endpoint, str] = {}
    missing: list[str] = []
    for endpoint in ENDPOINTS:
        try:
            found[endpoint] = concrete_url(endpoint, values)
        except LookupError as exc:
            missing.append(str(exc))
    assert not missing, "URLs the sweep cannot fill in:\n" + "\n".join(missing)
    return found


# --- the allow-lists stay true ------------------------------------------------------------------


def test_the_sweep_sees_every_part_of_the_project() -> None:
    routes = [endpoint.route for endpoint in ENDPOINTS]
    for prefix in ("api/eligibility/", "xapi/statements", "backoffice/", "django-admin/"):
        assert any(route.startswith(prefix) for route in routes), prefix
    assert len(ENDPOINTS) > 300


def test_allow_lists_name_only_existing_urls() -> None:
    stale = check_allow_list_names([*PUBLIC, *SHARED, *ANONYMOUS_BODIES])
    assert not stale, f"allow-list entries that name no URL any more: {stale}"


# --- 1. anonymous callers -----------------------------------------------------------------------


def anonymous_read_problems(urls: dict[Endpoint, str]) -> list[str]:
    client = anonymous()
    problems = []
    for endpoint, url in urls.items():
        for method in methods_of(endpoint, safe=True):
            response = call(client, method, url, endpoint)
            if response.status_code >= 500:
                problems.append("server error: " + describe(method, url, endpoint, response))
            elif not is_public(endpoint) and not refused(response):
                problems.append(
                    "not refused and not in PUBLIC: " + describe(method, url, endpoint, response)
                )
    return problems


def test_anonymous_caller_is_refused_everywhere_but_public_endpoints(
    urls: dict[Endpoint, str],
) -> None:
    problems = anonymous_read_problems(urls)
    assert not problems, "\n".join(problems)


def test_public_token_links_refuse_a_tampered_token(world: World) -> None:
    client = anonymous()
    share = world.tokens["share"]
    for name in ("learning:shared", "learning:shared_pdf"):
        assert client.get(reverse(name, args=[share[:-2] + "xx"])).status_code in (403, 404)
    accept = reverse("accounts:guardian_accept", args=["not-a-token"])
    response = client.get(accept)
    assert response.status_code in (403, 404)


# --- 2. the back office -------------------------------------------------------------------------

BACKOFFICE_OUTSIDERS = (
    "learner",
    "guardian",
    "mentor",
    "consultant",
    "coordinator",
    "provider_staff",
)


def _backoffice(urls: dict[Endpoint, str]) -> list[tuple[Endpoint, str]]:
    found = [(e, u) for e, u in urls.items() if is_backoffice(e)]
    assert len(found) > 50
    return found


@pytest.mark.parametrize("role", BACKOFFICE_OUTSIDERS)
def test_backoffice_refuses_every_other_role(
    role: str, world: World, urls: dict[Endpoint, str]
) -> None:
    client = client_for(world.users[role])
    fingerprint = Fingerprint()
    before = fingerprint.take()
    problems = []
    for endpoint, url in _backoffice(urls):
        for method in ("GET", "POST"):
            response = call(client, method, url, endpoint)
            if response.status_code not in (403, 405) and not login_redirect(response):
                problems.append(describe(method, url, endpoint, response))
    assert not problems, f"back-office URLs that did not refuse a {role}:\n" + "\n".join(problems)
    assert fingerprint.take() == before


def test_auditor_sees_only_the_access_log(world: World, urls: dict[Endpoint, str]) -> None:
    client = client_for(world.users["auditor"])
    problems = []
    for endpoint, url in _backoffice(urls):
        response = call(client, "GET", url, endpoint)
        if endpoint.name == "accounts_backoffice:access_log":
            assert response.status_code == 200
        elif response.status_code not in (403, 405):
            problems.append(describe("GET", url, endpoint, response))
    assert not problems, "back-office URLs open to the auditor:\n" + "\n".join(problems)


def test_operator_without_authenticator_is_sent_to_totp_setup(
    world: World, urls: dict[Endpoint, str]
) -> None:
    client = client_for(world.users["operator_without_mfa"])
    setup = reverse("mfa_activate_totp")
    problems = []
    for endpoint, url in _backoffice(urls):
        for method in ("GET", "POST"):
            response = call(client, method, url, endpoint)
            if response.status_code != 302 or response["Location"] != setup:
                problems.append(describe(method, url, endpoint, response))
    for endpoint, url in urls.items():
        if endpoint.api_methods is None or is_public(endpoint):
            continue
        for method in sorted(endpoint.api_methods):
            response = call(client, method, url, endpoint)
            if response.status_code != 403 or response.json().get("code") != "mfa_required":
                problems.append(describe(method, url, endpoint, response))
    assert not problems, "not sent to the TOTP set-up:\n" + "\n".join(problems)


# The JSON API's operator endpoints: every method of the routes under these prefixes, and
# single methods of shared routes.
OPERATOR_API_PREFIXES = ("api/eligibility/review/", "api/mentoring/runs/")
OPERATOR_API_METHODS = {
    ("api/eligibility/policy", "PUT"),
    ("api/enrollment/seat-use", "GET"),
    ("api/enrollment/budget", "GET"),
}
OPERATOR_API_OUTSIDERS = (*BACKOFFICE_OUTSIDERS, "child", "auditor")


def _operator_api(urls: dict[Endpoint, str]) -> list[tuple[Endpoint, str, str]]:
    found = []
    for endpoint, url in urls.items():
        for method in sorted(endpoint.api_methods or ()):
            if endpoint.route.startswith(OPERATOR_API_PREFIXES) or (
                (endpoint.route, method) in OPERATOR_API_METHODS
            ):
                found.append((endpoint, url, method))
    assert len(found) >= len(OPERATOR_API_METHODS) + 10
    return found


@pytest.mark.parametrize("role", OPERATOR_API_OUTSIDERS)
def test_operator_api_refuses_every_other_role(
    role: str, world: World, urls: dict[Endpoint, str]
) -> None:
    client = client_for(world.users[role])
    bodies = write_bodies(world)
    fingerprint = Fingerprint()
    before = fingerprint.take()
    problems = []
    for endpoint, url, method in _operator_api(urls):
        response = call(client, method, url, endpoint, body_for(endpoint, method, bodies))
        if response.status_code != 403:
            problems.append(describe(method, url, endpoint, response))
    assert not problems, f"operator API endpoints that did not refuse a {role}:\n" + "\n".join(
        problems
    )
    assert fingerprint.take() == before


# --- 3. writes by anonymous callers -------------------------------------------------------------


def anonymous_write_problems(urls: dict[Endpoint, str]) -> list[str]:
    client = anonymous()
    fingerprint = Fingerprint()
    problems = []
    for endpoint, url in urls.items():
        for method in methods_of(endpoint, safe=False):
            before = fingerprint.take()
            response = call(client, method, url, endpoint)
            changed = fingerprint.take() != before
            if response.status_code >= 500:
                problems.append("server error: " + describe(method, url, endpoint, response))
            if changed:
                problems.append("database changed: " + describe(method, url, endpoint, response))
            if not is_public(endpoint) and not refused(response):
                problems.append("not refused: " + describe(method, url, endpoint, response))
    return problems


def test_anonymous_writes_change_nothing(urls: dict[Endpoint, str]) -> None:
    problems = anonymous_write_problems(urls)
    assert not problems, "\n".join(problems)


# --- the sweep itself can fail ------------------------------------------------------------------


def _probe_open(request: HttpRequest) -> HttpResponse:
    return HttpResponse("someone's data")


@csrf_exempt
def _probe_write(request: HttpRequest) -> HttpResponse:
    from seoullearn.programmes.models import Jurisdiction

    if request.method == "POST":
        Jurisdiction.objects.create(slug="probe", name_ko="탐침", name_en="Probe")
    return redirect("/accounts/login/")


# A URLconf with two careless new URLs in front of the project's own.
urlpatterns = [
    path("sweep-probe/open/", _probe_open, name="sweep_probe_open"),
    path("sweep-probe/write/", _probe_write, name="sweep_probe_write"),
    path("", include(ROOT_URLCONF)),
]


@override_settings(ROOT_URLCONF=__name__)
def test_the_sweep_names_a_new_url_that_is_not_refused() -> None:
    probes = [e for e in endpoints() if e.route.startswith("sweep-probe/")]
    assert len(probes) == 2
    urls = {endpoint: fill(endpoint, {}) for endpoint in probes}
    assert anonymous_read_problems(urls) == [
        "not refused and not in PUBLIC: GET /sweep-probe/open/ [sweep_probe_open] -> 200"
    ]
    assert anonymous_write_problems(urls) == [
        "not refused: POST /sweep-probe/open/ [sweep_probe_open] -> 200",
        "database changed: POST /sweep-probe/write/ [sweep_probe_write] -> 302 /accounts/login/",
    ]


# --- 4. strangers -------------------------------------------------------------------------------

STRANGERS = ("learner", "guardian", "mentor", "consultant", "provider_staff", "coordinator")


def _stranger(world: World, role: str) -> Any:
    """Someone of ``role`` who owns nothing in the world (a member, for a learner)."""
    from seoullearn.accounts.tests.conftest import signed_up
    from seoullearn.accounts.tests.factories import GuardianFactory, MentorFactory
    from seoullearn.activities.tests.factories import ConsultantFactory, member
    from seoullearn.enrollment.tests.factories import staff_of
    from seoullearn.mentoring.tests.factories import UniversityFactory, make_coordinator

    makers = {
        "learner": lambda: signed_up(member(username="stranger_learner")),
        "guardian": lambda: signed_up(GuardianFactory(username="stranger_guardian")),
        "mentor": lambda: signed_up(MentorFactory(username="stranger_mentor")),
        "consultant": lambda: ConsultantFactory(username="stranger_consultant"),
        "provider_staff": lambda: staff_of(world.objects["other_provider"], "stranger_staff"),
        "coordinator": lambda: make_coordinator(UniversityFactory()),
    }
    return makers[role]()


@pytest.mark.parametrize("role", STRANGERS)
def test_strangers_are_refused_other_peoples_objects(
    role: str, world: World, urls: dict[Endpoint, str]
) -> None:
    client = client_for(_stranger(world, role))
    bodies = write_bodies(world)
    fingerprint = Fingerprint()
    problems = []
    for endpoint, url in urls.items():
        if (
            not endpoint.params
            or is_public(endpoint)
            or is_shared(endpoint)
            or is_backoffice(endpoint)
            or endpoint.route.startswith("django-admin/")
        ):
            continue
        for method in (*methods_of(endpoint, safe=True), *methods_of(endpoint, safe=False)):
            before = fingerprint.take()
            response = call(client, method, url, endpoint, body_for(endpoint, method, bodies))
            changed = fingerprint.take() != before
            if response.status_code >= 500 or changed or response.status_code < 300:
                problems.append(
                    ("database changed: " if changed else "")
                    + describe(method, url, endpoint, response)
                )
            elif response.status_code == 400 and method != "GET":
                problems.append(
                    "refused for its body before the owner check (give write_bodies() a valid "
                    "one): " + describe(method, url, endpoint, response)
                )
    assert not problems, f"a {role} reached someone else's object:\n" + "\n".join(problems)


# --- 5. no server errors ------------------------------------------------------------------------

EVERY_ROLE = (
    "learner",
    "child",
    "guardian",
    "mentor",
    "consultant",
    "coordinator",
    "provider_staff",
    "operator",
    "auditor",
)


@pytest.mark.parametrize("role", EVERY_ROLE)
def test_no_server_error_for_any_role(role: str, world: World, urls: dict[Endpoint, str]) -> None:
    """Every GET as each role with the world's objects, and every method with identifiers that
    name nothing (well-formed and malformed): a 4xx or a page, never a 500."""
    client = client_for(world.users[role])
    problems = []
    for endpoint, url in urls.items():
        if endpoint.route.startswith("django-admin/"):
            continue
        targets = [(url, methods_of(endpoint, safe=True))]
        if endpoint.params and not endpoint.route.startswith("accounts/^"):
            every = [*methods_of(endpoint, safe=True), *methods_of(endpoint, safe=False)]
            targets.append((fill(endpoint, dict.fromkeys(endpoint.params, MISSING_UUID)), every))
            if endpoint.api_methods is not None or "<str:" in endpoint.route:
                targets.append((fill(endpoint, dict.fromkeys(endpoint.params, "not-an-id")), every))
        for target, methods in targets:
            for method in methods:
                response = call(client, method, target, endpoint)
                if response.status_code >= 500:
                    problems.append(describe(method, target, endpoint, response))
    assert not problems, f"server errors for a {role}:\n" + "\n".join(problems)
