"""Encrypted private files and upload sniffing."""

from __future__ import annotations

import os
import uuid

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from seoullearn.core import crypto

# Magic numbers of the file types the platform accepts as evidence.
_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "application/pdf"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
)


def sniff_content_type(head: bytes) -> str | None:
    """The real type of a file from its first bytes, whatever its name or declared type says."""
    for signature, content_type in _SIGNATURES:
        if head.startswith(signature):
            return content_type
    return None


def store_encrypted(data: bytes, *, folder: str) -> str:
    """Encrypt and store bytes under a random name; returns the storage name."""
    name = f"{folder}/{uuid.uuid4().hex}.bin"
    return default_storage.save(name, ContentFile(crypto.encrypt_bytes(data)))


def read_encrypted(name: str) -> bytes:
    with default_storage.open(name, "rb") as handle:
        return crypto.decrypt_bytes(handle.read())


def rotate_encrypted(name: str) -> None:
    """Re-encrypt a stored file under the primary key, replacing it in place."""
    with default_storage.open(name, "rb") as handle:
        token = handle.read()
    rotated = crypto.rotate_token(token)
    path = default_storage.path(name)
    tmp = path + ".rotating"
    with open(tmp, "wb") as out:
        out.write(rotated)
    os.replace(tmp, path)


def delete_encrypted(name: str) -> None:
    if name and default_storage.exists(name):
        default_storage.delete(name)
