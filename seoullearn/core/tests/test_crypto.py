from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection

from seoullearn.accounts.tests.factories import LearnerFactory
from seoullearn.core import crypto
from seoullearn.core.files import (
    read_encrypted,
    rotate_encrypted,
    sniff_content_type,
    store_encrypted,
)


def test_encrypt_round_trip_and_ciphertext_differs_from_plaintext() -> None:
    token = crypto.encrypt_str("010-1234-5678")
    assert "1234" not in token
    assert crypto.decrypt_str(token) == "010-1234-5678"


def test_blind_index_is_normalised_and_purpose_separated() -> None:
    a = crypto.blind_index("010-1234-5678", purpose="phone")
    b = crypto.blind_index(" 01012345678 ", purpose="phone")
    c = crypto.blind_index("010-1234-5678", purpose="guardian_phone")
    assert a == b
    assert a != c


@pytest.mark.django_db
def test_encrypted_field_is_stored_encrypted() -> None:
    user = LearnerFactory(phone="010-9999-0000")
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone FROM accounts_user WHERE id = %s", [user.pk])
        (raw,) = cursor.fetchone()
    assert "9999" not in raw
    user.refresh_from_db()
    assert user.phone == "010-9999-0000"


@pytest.mark.django_db
def test_rotate_field_keys_reencrypts_rows_under_new_key(settings) -> None:
    user = LearnerFactory(phone="010-1111-2222")
    old_key = settings.FIELD_ENCRYPTION_KEYS[0]
    new_key = Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [new_key, old_key]

    call_command("rotate_field_keys", verbosity=0)

    settings.FIELD_ENCRYPTION_KEYS = [new_key]  # the old key is gone
    user.refresh_from_db()
    assert user.phone == "010-1111-2222"


def test_rotating_an_encrypted_file_keeps_its_content_under_the_new_key(settings) -> None:
    name = store_encrypted(b"%PDF-1.4 evidence", folder="test")
    old_key = settings.FIELD_ENCRYPTION_KEYS[0]
    new_key = Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [new_key, old_key]

    rotate_encrypted(name)

    settings.FIELD_ENCRYPTION_KEYS = [new_key]
    assert read_encrypted(name) == b"%PDF-1.4 evidence"
    settings.FIELD_ENCRYPTION_KEYS = [old_key]
    with pytest.raises(ValueError):
        read_encrypted(name)


def test_sniffing_uses_content_not_name() -> None:
    assert sniff_content_type(b"%PDF-1.7\n...") == "application/pdf"
    assert sniff_content_type(b"\x89PNG\r\n\x1a\n....") == "image/png"
    assert sniff_content_type(b"\xff\xd8\xff\xe0") == "image/jpeg"
    assert sniff_content_type(b"MZ\x90\x00 an exe named photo.png") is None
