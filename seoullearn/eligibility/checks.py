"""System checks: the sandbox welfare registry must not answer in production."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security, deploy=True)
def sandbox_registry_in_production(
    app_configs: Any = None, **kwargs: Any
) -> list[checks.CheckMessage]:
    from seoullearn.eligibility.verifiers import SANDBOX_PATH

    configured = getattr(settings, "ELIGIBILITY_VERIFIERS", None) or ()
    if getattr(settings, "PRODUCTION", False) and SANDBOX_PATH in configured:
        return [
            checks.Warning(
                "The sandbox welfare registry is configured as a verifier in production.",
                hint="Remove SandboxWelfareRegistry from ELIGIBILITY_VERIFIERS and configure "
                "an adapter for the real welfare-data service.",
                id="eligibility.W001",
            )
        ]
    return []
