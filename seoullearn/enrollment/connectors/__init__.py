"""Provider connectors: the interface and the HTTP implementation of docs/provider-contract.md."""

from seoullearn.enrollment.connectors.base import (
    AccountRef,
    ConnectorError,
    LaunchTarget,
    ProviderConnector,
    UsageRow,
)

__all__ = ["AccountRef", "ConnectorError", "LaunchTarget", "ProviderConnector", "UsageRow"]
