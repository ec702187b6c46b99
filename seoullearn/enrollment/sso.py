"""Single sign-on launches: RS256 id_tokens signed with a rotatable key, published as JWKS.

See docs/sso.md and ADR 0041. The private key comes from ``SSO_PRIVATE_KEY_PATH`` (production)
or is generated on first use and stored encrypted in the database (``SigningKey``).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import secrets
from functools import lru_cache
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.conf import settings
from django.db import IntegrityError, transaction

from seoullearn.core.timeutil import now
from seoullearn.enrollment.models import SigningKey


def _b64(number: int) -> str:
    raw = number.to_bytes((number.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def public_jwk(private_pem: str, kid: str) -> dict[str, str]:
    key = serialization.load_pem_private_key(private_pem.encode(), password=None)
    assert isinstance(key, rsa.RSAPrivateKey)
    numbers = key.public_key().public_numbers()
    return {
        "kty": "RSA",
        "use": "sig",
        "alg": "RS256",
        "kid": kid,
        "n": _b64(numbers.n),
        "e": _b64(numbers.e),
    }


def _thumbprint(jwk: dict[str, str]) -> str:
    """RFC 7638 thumbprint, used as the key id of a key read from a file."""
    canonical = json.dumps({"e": jwk["e"], "kty": "RSA", "n": jwk["n"]}, separators=(",", ":"))
    return (
        base64.urlsafe_b64encode(hashlib.sha256(canonical.encode()).digest()).rstrip(b"=").decode()
    )


def generate_pem() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


@lru_cache(maxsize=4)
def _file_key(path: str, kid_setting: str) -> tuple[str, str, dict[str, str]]:
    pem = Path(path).read_text()
    jwk = public_jwk(pem, "pending")
    kid = kid_setting or _thumbprint(jwk)
    jwk["kid"] = kid
    return kid, pem, jwk


def signing_key() -> tuple[str, str]:
    """(kid, private PEM) of the key that signs now."""
    if settings.SSO_PRIVATE_KEY_PATH:
        kid, pem, _ = _file_key(settings.SSO_PRIVATE_KEY_PATH, settings.SSO_KEY_ID)
        return kid, pem
    row = SigningKey.objects.filter(is_active=True).order_by("-created_at").first()
    if row is None:
        row = rotate_key()
    return row.kid, row.private_pem


@transaction.atomic
def rotate_key() -> SigningKey:
    """Make a new active key; the previous one is retired but stays published for a while."""
    for old in SigningKey.objects.select_for_update().filter(is_active=True):
        old.is_active = False
        old.retired_at = now()
        old.save(update_fields=["is_active", "retired_at", "updated_at"])
    pem = generate_pem()
    kid = "sl-" + secrets.token_hex(8)
    try:
        with transaction.atomic():
            return SigningKey.objects.create(
                kid=kid, private_pem=pem, public_jwk=public_jwk(pem, kid)
            )
    except IntegrityError:  # pragma: no cover - 64-bit random collision
        raise


def jwks() -> dict[str, Any]:
    """Every key a provider may meet in a token still valid: the active one and keys retired
    within the last day."""
    keys: list[dict[str, str]] = []
    if settings.SSO_PRIVATE_KEY_PATH:
        keys.append(_file_key(settings.SSO_PRIVATE_KEY_PATH, settings.SSO_KEY_ID)[2])
    cutoff = now() - dt.timedelta(days=1)
    for row in SigningKey.objects.filter(is_active=True) | SigningKey.objects.filter(
        retired_at__gte=cutoff
    ):
        if row.public_jwk not in keys:
            keys.append(row.public_jwk)
    if not keys:
        signing_key()
        return jwks()
    return {"keys": keys}


def issuer() -> str:
    return settings.SITE_URL.rstrip("/")


def make_id_token(
    *, subject: str, audience: str, nonce: str, jti: str, claims: dict[str, Any]
) -> tuple[str, str, dt.datetime]:
    """Sign a launch token; returns (token, kid, expiry)."""
    kid, pem = signing_key()
    issued = now()
    expires = issued + dt.timedelta(seconds=settings.SSO_TOKEN_TTL_SECONDS)
    payload = {
        "iss": issuer(),
        "sub": subject,
        "aud": audience,
        "iat": int(issued.timestamp()),
        "nbf": int(issued.timestamp()) - 5,
        "exp": int(expires.timestamp()),
        "nonce": nonce,
        "jti": jti,
        **claims,
    }
    token = jwt.encode(payload, pem, algorithm="RS256", headers={"kid": kid, "typ": "JWT"})
    return token, kid, expires
