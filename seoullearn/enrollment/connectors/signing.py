"""Request signatures of the provider contract (HMAC-SHA256), both directions.

The string to sign is ``METHOD \\n PATH(with query) \\n TIMESTAMP \\n hex(SHA-256(body))``; the
header ``X-SL-Signature`` carries ``v1=<hex HMAC-SHA256(secret, string)>``, ``X-SL-Key-Id`` the
key id and ``X-SL-Timestamp`` Unix seconds. A receiver refuses a timestamp more than
``REPLAY_WINDOW_SECONDS`` away from its clock.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Mapping

REPLAY_WINDOW_SECONDS = 300


def derive_secret(master: str, key_id: str) -> str:
    """The sandbox's per-provider secret: HMAC(master, key id). Real providers get random ones."""
    return hmac.new(master.encode(), key_id.encode(), hashlib.sha256).hexdigest()


def string_to_sign(method: str, path: str, timestamp: str, body: bytes) -> bytes:
    digest = hashlib.sha256(body).hexdigest()
    return f"{method.upper()}\n{path}\n{timestamp}\n{digest}".encode()


def sign(
    secret: str, method: str, path: str, body: bytes, *, now: float | None = None
) -> dict[str, str]:
    timestamp = str(int(now if now is not None else time.time()))
    mac = hmac.new(secret.encode(), string_to_sign(method, path, timestamp, body), hashlib.sha256)
    return {"X-SL-Timestamp": timestamp, "X-SL-Signature": "v1=" + mac.hexdigest()}


def verify(
    secret: str,
    method: str,
    path: str,
    body: bytes,
    headers: Mapping[str, str],
    *,
    now: float | None = None,
) -> str | None:
    """None when the signature is valid and fresh, else the reason it is not."""
    timestamp = headers.get("X-SL-Timestamp", "")
    signature = headers.get("X-SL-Signature", "")
    if not timestamp.isdigit() or not signature.startswith("v1="):
        return "missing signature headers"
    current = now if now is not None else time.time()
    if abs(current - int(timestamp)) > REPLAY_WINDOW_SECONDS:
        return "timestamp outside the replay window"
    expected = hmac.new(
        secret.encode(), string_to_sign(method, path, timestamp, body), hashlib.sha256
    ).hexdigest()
    if not hmac.compare_digest(expected, signature[3:]):
        return "bad signature"
    return None
