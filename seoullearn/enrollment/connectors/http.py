"""The HTTP connector: JSON over HTTPS with signed requests (docs/provider-contract.md)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from urllib.parse import urlencode, urlsplit

import httpx

from seoullearn.enrollment.connectors.base import AccountRef, ConnectorError, LaunchTarget, UsageRow
from seoullearn.enrollment.connectors.signing import sign

ACCOUNT_STATUSES = {"active", "suspended", "closed"}


class HttpConnector:
    def __init__(self, *, base_url: str, key_id: str, secret: str, timeout: float = 5.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.key_id = key_id
        self.secret = secret
        self.timeout = timeout

    # --- transport --------------------------------------------------------------------------
    def _request(
        self,
        method: str,
        path: str,
        *,
        payload: dict[str, Any] | None = None,
        query: dict[str, str] | None = None,
        idempotency_key: str | None = None,
    ) -> dict[str, Any]:
        body = json.dumps(payload, separators=(",", ":")).encode() if payload is not None else b""
        full_path = urlsplit(self.base_url).path + path
        if query:
            full_path += "?" + urlencode(query)
        headers = {
            "Content-Type": "application/json",
            "Accept": "application/json",
            "X-SL-Key-Id": self.key_id,
            **sign(self.secret, method, full_path, body),
        }
        if idempotency_key:
            headers["Idempotency-Key"] = idempotency_key
        url = self.base_url + path + ("?" + urlencode(query) if query else "")
        try:
            response = httpx.request(
                method, url, content=body, headers=headers, timeout=self.timeout
            )
        except httpx.TimeoutException as exc:
            raise ConnectorError(f"timeout after {self.timeout}s", transient=True) from exc
        except httpx.HTTPError as exc:
            raise ConnectorError(
                f"cannot reach provider: {type(exc).__name__}", transient=True
            ) from exc
        if response.status_code >= 500 or response.status_code == 429:
            raise ConnectorError(
                f"provider answered {response.status_code}",
                transient=True,
                status=response.status_code,
            )
        try:
            data = response.json()
        except ValueError as exc:
            raise ConnectorError(
                f"malformed reply ({response.status_code}, not JSON)",
                transient=True,
                status=response.status_code,
            ) from exc
        if not isinstance(data, dict):
            raise ConnectorError("malformed reply (not an object)", transient=True)
        if response.status_code >= 400:
            raise ConnectorError(
                f"provider refused ({response.status_code}): {str(data.get('error', ''))[:120]}",
                transient=False,
                status=response.status_code,
            )
        return data

    @staticmethod
    def _account(data: dict[str, Any]) -> AccountRef:
        account_id = data.get("account_id")
        status = data.get("status")
        if not isinstance(account_id, str) or not account_id or status not in ACCOUNT_STATUSES:
            raise ConnectorError("malformed reply (account_id/status)", transient=True)
        return AccountRef(account_id=account_id[:100], status=str(status))

    # --- the interface ----------------------------------------------------------------------
    def create_account(
        self, *, idempotency_key: str, learner_id: str, offering_code: str
    ) -> AccountRef:
        data = self._request(
            "POST",
            "/v1/accounts",
            payload={"learner_id": learner_id, "offering": offering_code},
            idempotency_key=idempotency_key,
        )
        return self._account(data)

    def _transition(self, account_id: str, action: str) -> AccountRef:
        return self._account(
            self._request("POST", f"/v1/accounts/{account_id}/{action}", payload={})
        )

    def suspend(self, *, account_id: str) -> AccountRef:
        return self._transition(account_id, "suspend")

    def reactivate(self, *, account_id: str) -> AccountRef:
        return self._transition(account_id, "reactivate")

    def close(self, *, account_id: str) -> AccountRef:
        return self._transition(account_id, "close")

    def sso_launch(self) -> LaunchTarget:
        return LaunchTarget(url=self.base_url + "/sso/launch")

    def pull_usage(self, *, day: dt.date) -> list[UsageRow]:
        data = self._request("GET", "/v1/usage", query={"date": day.isoformat()})
        rows = data.get("records")
        if not isinstance(rows, list):
            raise ConnectorError("malformed reply (records)", transient=True)
        result = []
        for row in rows:
            try:
                result.append(
                    UsageRow(
                        day=dt.date.fromisoformat(str(row["date"])),
                        account_id=str(row.get("account_id", "")),
                        learner_id=str(row["learner_id"]),
                        minutes=int(row.get("minutes", 0)),
                        lessons_completed=int(row.get("lessons_completed", 0)),
                    )
                )
            except (KeyError, TypeError, ValueError) as exc:
                raise ConnectorError("malformed usage record", transient=True) from exc
        return result
