"""Authentication of providers' machine clients: OAuth2 client credentials (scope "provider")
and, for the provider's learning-event callbacks, the contract's HMAC request signature."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer
from oauth2_provider.oauth2_backends import get_oauthlib_core

from seoullearn.catalog.models import Provider
from seoullearn.core.roles import Role
from seoullearn.enrollment.connectors.signing import verify
from seoullearn.enrollment.models import ProviderApiClient, ProviderEndpoint, ProviderStaff

SCOPE = "provider"


class ProviderPrincipal:
    """Who is calling on behalf of a provider: a machine client or a staff member."""

    def __init__(self, provider: Provider, label: str, user: Any = None) -> None:
        self.provider = provider
        self.label = label
        self.user = user


class ProviderOAuth(HttpBearer):
    openapi_description = "OAuth2 client credentials access token with scope `provider`"

    def authenticate(self, request: HttpRequest, token: str) -> ProviderPrincipal | None:
        valid, oauth_request = get_oauthlib_core().verify_request(request, scopes=[SCOPE])
        if not valid:
            return None
        application = oauth_request.access_token.application
        client = (
            ProviderApiClient.objects.select_related("provider")
            .filter(application=application, provider__is_active=True)
            .first()
        )
        if client is None:
            return None
        return ProviderPrincipal(client.provider, f"oauth:{application.client_id}")


def staff_session(request: HttpRequest) -> ProviderPrincipal | None:
    """Provider staff signed in with the browser (CSRF is checked by the session auth)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or user.role != Role.PROVIDER_STAFF:
        return None
    link = ProviderStaff.objects.select_related("provider").filter(user=user).first()
    if link is None:
        return None
    return ProviderPrincipal(link.provider, user.get_username(), user)


def signed_provider(request: HttpRequest) -> Provider | None:
    """The provider whose shared secret signed this request (callbacks), else None."""
    key_id = request.headers.get("X-SL-Key-Id", "")
    endpoint = (
        ProviderEndpoint.objects.select_related("provider")
        .filter(key_id=key_id, is_enabled=True)
        .first()
    )
    if endpoint is None:
        return None
    problem = verify(
        endpoint.secret,
        request.method or "POST",
        request.get_full_path(),
        request.body,
        request.headers,
    )
    return endpoint.provider if problem is None else None
