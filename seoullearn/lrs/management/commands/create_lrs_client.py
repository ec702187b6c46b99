"""``manage.py create_lrs_client NAME --scopes SCOPE[,SCOPE]`` — prints ``KEY SECRET`` last."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from seoullearn.core.errors import DomainError
from seoullearn.lrs.models import DEFAULT_PROVIDER_SCOPES, SCOPES


class Command(BaseCommand):
    help = "Issue an xAPI credential (HTTP Basic key and secret; the secret is shown once)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name")
        parser.add_argument(
            "--scopes",
            default=",".join(DEFAULT_PROVIDER_SCOPES),
            help="comma-separated, from: " + ", ".join(SCOPES),
        )
        parser.add_argument("--provider", help="provider code (catalog)")
        parser.add_argument(
            "--oauth", action="store_true", help="also create an OAuth2 client-credentials app"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from seoullearn.catalog.models import Provider
        from seoullearn.lrs.services import lrs_client_create

        provider = None
        if options["provider"]:
            provider = Provider.objects.filter(code=options["provider"]).first()
            if provider is None:
                raise CommandError(f"no provider with code {options['provider']!r}")
        try:
            client, secret = lrs_client_create(
                name=options["name"],
                scopes=options["scopes"].split(","),
                provider=provider,
                with_oauth=options["oauth"],
            )
        except DomainError as exc:
            raise CommandError(str(exc.message)) from exc
        self.stdout.write(f"xAPI client {client.name} ({', '.join(client.scopes)})")
        self.stdout.write(f"{client.key} {secret}")
