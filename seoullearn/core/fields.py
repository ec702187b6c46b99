"""Model fields that encrypt personal data at rest (see ``core.crypto``)."""

from __future__ import annotations

import json
from typing import Any

from django.db import models

from seoullearn.core import crypto


class EncryptedMixin:
    """Marker for ``rotate_field_keys``: every field with this mixin holds Fernet tokens."""

    encrypted = True


class EncryptedTextField(EncryptedMixin, models.TextField):
    """A string stored as a Fernet token. Not searchable: add a blind index field for lookups."""

    description = "Encrypted text"

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> str | None:
        if value is None or value == "":
            return value
        return crypto.decrypt_str(value)

    def to_python(self, value: Any) -> str | None:
        return value

    def get_prep_value(self, value: Any) -> str | None:
        if value is None:
            return None
        value = str(value)
        if value == "":
            return ""
        return crypto.encrypt_str(value)


class EncryptedJSONField(EncryptedMixin, models.TextField):
    """Any JSON-serialisable value stored as a Fernet token."""

    description = "Encrypted JSON"
    # For django-stubs: any JSON-serialisable value is set and read (not only strings).
    _pyi_private_set_type: Any
    _pyi_private_get_type: Any

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if value is None or value == "":
            return None
        return json.loads(crypto.decrypt_str(value))

    def to_python(self, value: Any) -> Any:
        return value

    def get_prep_value(self, value: Any) -> str | None:
        if value is None:
            return None
        return crypto.encrypt_str(json.dumps(value, ensure_ascii=False, sort_keys=True))


class EncryptedFileField(EncryptedMixin, models.CharField):
    """Name of a file in the default storage whose bytes are a Fernet token.

    Use ``core.files.store_encrypted`` / ``read_encrypted``; never expose a URL.
    """

    encrypted_file = True

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 255)
        super().__init__(*args, **kwargs)
