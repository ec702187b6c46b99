"""Encryption of personal data at rest.

Fields and files are encrypted with Fernet (AES-128-CBC + HMAC-SHA256) through MultiFernet:
the first key in ``FIELD_ENCRYPTION_KEYS`` encrypts, every key decrypts, so keys rotate by
prepending a new key and running ``manage.py rotate_field_keys``. Lookups on encrypted values
use a blind index: an HMAC-SHA256 of the normalised value under a separate key.
"""

from __future__ import annotations

import hashlib
import hmac
import unicodedata
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


@lru_cache(maxsize=8)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    if not keys or not all(keys):
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS is empty")
    try:
        return MultiFernet([Fernet(k.encode() if isinstance(k, str) else k) for k in keys])
    except ValueError as exc:  # malformed key
        raise ImproperlyConfigured(f"FIELD_ENCRYPTION_KEYS holds an invalid key: {exc}") from exc


def fernet() -> MultiFernet:
    return _fernet(tuple(settings.FIELD_ENCRYPTION_KEYS))


def encrypt_bytes(data: bytes) -> bytes:
    return fernet().encrypt(data)


def decrypt_bytes(token: bytes) -> bytes:
    try:
        return fernet().decrypt(token)
    except InvalidToken as exc:
        raise ValueError("cannot decrypt: no configured key matches") from exc


def encrypt_str(value: str) -> str:
    return encrypt_bytes(value.encode("utf-8")).decode("ascii")


def decrypt_str(token: str) -> str:
    return decrypt_bytes(token.encode("ascii")).decode("utf-8")


def rotate_token(token: bytes) -> bytes:
    """Re-encrypt a token under the primary key (no-op in content)."""
    return fernet().rotate(token)


def normalise_for_index(value: str) -> str:
    """Case-, width- and space-insensitive form; digits only for phone-like values."""
    text = unicodedata.normalize("NFKC", value).strip().lower()
    compact = "".join(text.split())
    digits = "".join(ch for ch in compact if ch.isdigit())
    if digits and len(digits) >= 7 and all(ch.isdigit() or ch in "+-()." for ch in compact):
        return digits
    return compact


def blind_index(value: str, *, purpose: str) -> str:
    """Deterministic keyed hash for equality lookups on an encrypted value.

    ``purpose`` separates index spaces, so equal values in two fields give unrelated hashes.
    """
    key = hashlib.sha256(settings.BLIND_INDEX_KEY.encode()).digest()
    message = f"{purpose}\x00{normalise_for_index(value)}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()
