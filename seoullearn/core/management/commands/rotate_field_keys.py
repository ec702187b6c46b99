from __future__ import annotations

from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from seoullearn.core.fields import EncryptedFileField, EncryptedMixin
from seoullearn.core.files import rotate_encrypted


class Command(BaseCommand):
    help = (
        "Re-encrypt every encrypted field and file under the first key of FIELD_ENCRYPTION_KEYS. "
        "Run after prepending a new key; then the old key can be removed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args: Any, **options: Any) -> None:
        total_rows = total_files = 0
        for model in apps.get_models():
            fields = [f for f in model._meta.concrete_fields if isinstance(f, EncryptedMixin)]
            if not fields:
                continue
            columns = [f.attname for f in fields if not isinstance(f, EncryptedFileField)]
            files = [f.attname for f in fields if isinstance(f, EncryptedFileField)]
            manager = model._default_manager
            last_pk: Any = None
            while True:
                qs = manager.order_by("pk")
                if last_pk is not None:
                    qs = qs.filter(pk__gt=last_pk)
                # Reading decrypts with whichever key matches; writing encrypts with the first.
                batch = list(qs.values("pk", *columns, *files)[: options["batch_size"]])
                if not batch:
                    break
                with transaction.atomic():
                    for row in batch:
                        values = {c: row[c] for c in columns if row[c] not in (None, "")}
                        if values:
                            manager.filter(pk=row["pk"]).update(**values)
                            total_rows += 1
                        for name in files:
                            if row[name]:
                                rotate_encrypted(row[name])
                                total_files += 1
                last_pk = batch[-1]["pk"]
            self.stdout.write(f"{model._meta.label}: done")
        self.stdout.write(f"re-encrypted {total_rows} row(s) and {total_files} file(s)")
