"""Signed Statements (Data 2.6): a JWS in an attachment whose payload is the Statement.

The LRS decodes the JWS, checks the algorithm is RS256/384/512, checks the signed Statement is
logically equivalent to the received one and, when the header carries an X.509 chain
(``x5c``), verifies the signature against the first certificate. As the specification notes,
this catches mistakes; it does not authenticate the signer.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from seoullearn.lrs.errors import BadRequest
from seoullearn.lrs.xapi import SIGNATURE_USAGE, statements_equivalent

_HASHES: dict[str, type[hashes.SHA256 | hashes.SHA384 | hashes.SHA512]] = {
    "RS256": hashes.SHA256,
    "RS384": hashes.SHA384,
    "RS512": hashes.SHA512,
}


def _b64decode(segment: str) -> bytes:
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


def signature_attachment(statement: dict[str, Any]) -> dict[str, Any] | None:
    for attachment in statement.get("attachments", ()):
        if attachment["usageType"] == SIGNATURE_USAGE:
            return attachment  # type: ignore[no-any-return]
    return None


def verify_signed_statement(statement: dict[str, Any], jws: bytes) -> None:
    """Raise BadRequest when the signature attachment of ``statement`` is malformed."""
    attachment = signature_attachment(statement)
    assert attachment is not None
    if attachment["contentType"] != "application/octet-stream":
        raise BadRequest("the signature attachment must have contentType application/octet-stream")
    try:
        text = jws.decode("ascii").strip()
        header_b64, payload_b64, signature_b64 = text.split(".")
        header = json.loads(_b64decode(header_b64))
        signed = json.loads(_b64decode(payload_b64))
        signature = _b64decode(signature_b64)
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadRequest("the signature is not a JWS in compact serialization") from exc
    if not isinstance(header, dict) or header.get("alg") not in _HASHES:
        raise BadRequest("the JWS algorithm must be RS256, RS384 or RS512")
    if not isinstance(signed, dict):
        raise BadRequest("the JWS payload is not a Statement")
    received = {key: value for key, value in statement.items() if key != "attachments"}
    received_attachments = [a for a in statement.get("attachments", ()) if a is not attachment]
    if received_attachments:
        received["attachments"] = received_attachments
    original = dict(signed)
    if "id" in original and "id" in statement and str(original["id"]).lower() != statement["id"]:
        raise BadRequest("the signed Statement has a different id")
    try:
        from seoullearn.lrs.xapi import validate_statement

        validate_statement(dict(original), version="2.0", path="signature.payload")
    except ValueError as exc:
        raise BadRequest(f"the signed Statement is not valid: {exc}") from exc
    if not statements_equivalent(original, received):
        raise BadRequest("the signed Statement differs from the received Statement")
    chain = header.get("x5c")
    if chain:
        try:
            certificate = x509.load_der_x509_certificate(base64.b64decode(chain[0]))
            public_key = certificate.public_key()
        except (ValueError, TypeError, IndexError) as exc:
            raise BadRequest("the JWS x5c certificate cannot be read") from exc
        if not isinstance(public_key, rsa.RSAPublicKey):
            raise BadRequest("the JWS x5c certificate does not hold an RSA key")
        try:
            public_key.verify(
                signature,
                f"{header_b64}.{payload_b64}".encode("ascii"),
                padding.PKCS1v15(),
                _HASHES[header["alg"]](),
            )
        except InvalidSignature as exc:
            raise BadRequest("the JWS signature does not match its x5c certificate") from exc
