"""Who is calling the /xapi/ resources: HTTP Basic key/secret or an OAuth2 bearer token.

Client rows are cached in-process for a few seconds so that a busy provider's batches do not
each cost a credential query; rotation and revocation clear the cache of the process that
made them, other processes follow within ``CACHE_SECONDS``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import threading
import time
from typing import Any

from seoullearn.core.timeutil import now
from seoullearn.lrs.errors import Unauthorized
from seoullearn.lrs.models import SCOPES, LRSClient
from seoullearn.lrs.services import Credential

CACHE_SECONDS = 10.0
LAST_USED_EVERY_SECONDS = 60.0
# Communication 4.2.s6.b2: no requested scope means statements/write + statements/read/mine.
DEFAULT_OAUTH_SCOPES = frozenset({"statements/write", "statements/read/mine"})

_cache: dict[str, tuple[float, LRSClient | None]] = {}
_last_used: dict[int, float] = {}
_lock = threading.Lock()


def forget(key: str) -> None:
    with _lock:
        _cache.pop(key, None)


def _client_by_key(key: str) -> LRSClient | None:
    moment = time.monotonic()
    with _lock:
        hit = _cache.get(key)
    if hit is not None and moment - hit[0] < CACHE_SECONDS:
        return hit[1]
    client = LRSClient.objects.filter(key=key).first()
    with _lock:
        if len(_cache) > 10_000:
            _cache.clear()
        _cache[key] = (moment, client)
    return client


def _touch(client: LRSClient) -> None:
    moment = time.monotonic()
    with _lock:
        if moment - _last_used.get(client.pk, 0.0) < LAST_USED_EVERY_SECONDS:
            return
        _last_used[client.pk] = moment
    LRSClient.objects.filter(pk=client.pk).update(last_used_at=now())


def authenticate(authorization: str | None) -> Credential:
    """Resolve the Authorization header to a Credential or raise Unauthorized (401)."""
    if not authorization:
        raise Unauthorized("authentication is required (HTTP Basic or an OAuth2 bearer token)")
    scheme, _, value = authorization.strip().partition(" ")
    scheme = scheme.lower()
    if scheme == "basic":
        try:
            decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError) as exc:
            raise Unauthorized("the Basic credentials cannot be decoded") from exc
        key, _, secret = decoded.partition(":")
        client = _client_by_key(key)
        if client is None or not client.is_active or not client.check_secret(secret):
            raise Unauthorized("the credentials were refused")
        _touch(client)
        return Credential(client=client, scopes=frozenset(client.scopes))
    if scheme == "bearer":
        return _bearer(value.strip())
    raise Unauthorized("use HTTP Basic or an OAuth2 bearer token")


def _bearer(token: str) -> Credential:
    from oauth2_provider.models import get_access_token_model

    access_token_model: Any = get_access_token_model()
    checksum = hashlib.sha256(token.encode("utf-8")).hexdigest()
    access = (
        access_token_model.objects.select_related("application")
        .filter(token_checksum=checksum)
        .first()
    )
    if access is None or access.is_expired() or access.application is None:
        raise Unauthorized("the bearer token is unknown or expired")
    client = _client_by_key(access.application.client_id)
    if client is None or not client.is_active:
        raise Unauthorized("the bearer token does not belong to an active xAPI client")
    granted = frozenset(client.scopes)
    requested = frozenset(access.scope.split()) & frozenset(SCOPES)
    scopes = frozenset(
        scope for scope in (requested or DEFAULT_OAUTH_SCOPES) if scope in implied_scopes(granted)
    )
    _touch(client)
    return Credential(client=client, scopes=frozenset(scopes))


def implied_scopes(granted: frozenset[str]) -> frozenset[str]:
    """Scopes a client may request in a token, given the scopes its credential holds."""
    if "all" in granted:
        return frozenset(SCOPES)
    implied = set(granted)
    if "all/read" in granted:
        implied |= {"statements/read", "statements/read/mine"}
    if "statements/read" in granted:
        implied.add("statements/read/mine")
    return frozenset(implied)
