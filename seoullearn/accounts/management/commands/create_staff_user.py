from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from seoullearn.accounts.services import STAFF_ROLES, staff_user_create
from seoullearn.core.errors import DomainError


class Command(BaseCommand):
    help = (
        "Create a staff account (operator, auditor, consultant, provider staff, university "
        "coordinator). Prints a one-time initial password unless --password is given; "
        "operators and auditors must enrol TOTP at first login."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=list(STAFF_ROLES))
        parser.add_argument("--email", required=True)
        parser.add_argument("--name", default="", help="full name")
        parser.add_argument("--password", default=None, help="initial password (else generated)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            user, password = staff_user_create(
                actor=None,
                username=options["username"],
                email=options["email"],
                role=options["role"],
                full_name=options["name"],
                password=options["password"],
            )
        except DomainError as exc:
            raise CommandError(f"{exc.code}: {exc.message} {exc.details or ''}".strip()) from exc
        self.stdout.write(self.style.SUCCESS(f"created {user.role} {user.username}"))
        if options["password"] is None:
            self.stdout.write(f"initial password (shown once): {password}")
        if user.mfa_required:
            self.stdout.write("the user must set up an authenticator app (TOTP) at first login")
