"""Which connector talks to which provider."""

from __future__ import annotations

from seoullearn.catalog.models import Provider
from seoullearn.enrollment.connectors import ConnectorError, ProviderConnector
from seoullearn.enrollment.connectors.http import HttpConnector
from seoullearn.enrollment.models import ProviderEndpoint


def connector_for(provider: Provider) -> ProviderConnector:
    endpoint = ProviderEndpoint.objects.filter(provider=provider, is_enabled=True).first()
    if endpoint is None:
        raise ConnectorError(f"no endpoint configured for {provider.code}", transient=True)
    return HttpConnector(
        base_url=endpoint.base_url,
        key_id=endpoint.key_id,
        secret=endpoint.secret,
        timeout=endpoint.timeout_seconds,
    )
