from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Make a new single sign-on signing key; the old one stays in the JWKS for a day."

    def handle(self, *args: Any, **options: Any) -> None:
        from seoullearn.enrollment.sso import rotate_key

        if settings.SSO_PRIVATE_KEY_PATH:
            raise CommandError(
                "SSO_PRIVATE_KEY_PATH is set: rotate by publishing a new key file and SSO_KEY_ID"
            )
        key = rotate_key()
        self.stdout.write(f"new signing key {key.kid}")
