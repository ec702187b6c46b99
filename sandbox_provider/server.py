"""The sandbox provider's web server: ``python -m sandbox_provider.server --port 8100``.

It plays a content company: it keeps accounts in its own SQLite file, verifies signed requests
from the platform, accepts single sign-on launches (verifying the id_token against the
platform's JWKS and refusing a nonce twice), shows a lesson page, reports usage (pullable at
``GET /v1/usage`` and pushed to the platform's callback) and can be told to misbehave through
``POST /_control`` (down, slow, 500s, garbage, duplicate callbacks) for tests.

Standard library plus PyJWT (which the platform already depends on); no Django.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import html
import json
import logging
import os
import secrets
import sqlite3
import threading
import time
import urllib.error
import urllib.request
import uuid
from datetime import UTC, date, datetime
from http.cookies import SimpleCookie
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt

log = logging.getLogger("sandbox_provider")
REPLAY_WINDOW_SECONDS = 300
MODES = {"normal", "down", "slow", "error500", "garbage"}

SCHEMA = """
CREATE TABLE IF NOT EXISTS accounts (
  account_id TEXT PRIMARY KEY, provider TEXT NOT NULL, learner_id TEXT NOT NULL,
  offering TEXT NOT NULL, idempotency_key TEXT NOT NULL UNIQUE, status TEXT NOT NULL,
  created_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS nonces (nonce TEXT PRIMARY KEY, seen_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sessions (token TEXT PRIMARY KEY, account_id TEXT NOT NULL,
  learner_id TEXT NOT NULL, provider TEXT NOT NULL, created_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS events (event_id TEXT PRIMARY KEY, account_id TEXT NOT NULL,
  provider TEXT NOT NULL, learner_id TEXT NOT NULL, day TEXT NOT NULL, minutes INTEGER NOT NULL,
  occurred_at TEXT NOT NULL);
"""


def derive_secret(master: str, key_id: str) -> str:
    return hmac.new(master.encode(), key_id.encode(), hashlib.sha256).hexdigest()


def _string_to_sign(method: str, path: str, timestamp: str, body: bytes) -> bytes:
    return f"{method.upper()}\n{path}\n{timestamp}\n{hashlib.sha256(body).hexdigest()}".encode()


def sign_headers(secret: str, method: str, path: str, body: bytes) -> dict[str, str]:
    timestamp = str(int(time.time()))
    mac = hmac.new(secret.encode(), _string_to_sign(method, path, timestamp, body), hashlib.sha256)
    return {"X-SL-Timestamp": timestamp, "X-SL-Signature": "v1=" + mac.hexdigest()}


class Sandbox:
    """State shared by the request handlers."""

    def __init__(
        self,
        *,
        db_path: str,
        master_secret: str,
        platform_url: str,
        control_token: str = "",
        push_usage: bool = True,
    ) -> None:
        self.db_path = db_path
        self.master_secret = master_secret
        self.platform_url = platform_url.rstrip("/")
        self.control_token = control_token
        self.push_usage = push_usage
        self.mode = os.environ.get("SANDBOX_MODE", "normal")
        self.delay = float(os.environ.get("SANDBOX_DELAY", "3"))
        self.duplicate_callbacks = os.environ.get("SANDBOX_DUPLICATE_CALLBACKS", "") == "1"
        self.callbacks_sent = 0
        self.lock = threading.Lock()
        Path(db_path).parent.mkdir(parents=True, exist_ok=True)
        with self.db() as conn:
            conn.executescript(SCHEMA)
        self._jwks_client: jwt.PyJWKClient | None = None

    def db(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.db_path, timeout=10, isolation_level=None)
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA journal_mode=WAL")
        return conn

    def jwks_client(self) -> jwt.PyJWKClient:
        if self._jwks_client is None:
            self._jwks_client = jwt.PyJWKClient(
                self.platform_url + "/enrollment/.well-known/jwks.json",
                cache_keys=True,
                lifespan=300,
            )
        return self._jwks_client

    def push_events(self, provider: str, events: list[dict[str, Any]]) -> None:
        """POST learning events to the platform's callback (twice when told to duplicate)."""
        if not self.push_usage or not self.platform_url:
            return
        path = "/api/enrollment/provider-callbacks/usage-events"
        body = json.dumps({"events": events}).encode()
        secret = derive_secret(self.master_secret, provider)
        for _ in range(2 if self.duplicate_callbacks else 1):
            headers = {
                "Content-Type": "application/json",
                "X-SL-Key-Id": provider,
                **sign_headers(secret, "POST", path, body),
            }
            request = urllib.request.Request(  # noqa: S310 - http(s) URL from the command line
                self.platform_url + path, data=body, headers=headers, method="POST"
            )
            try:
                with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
                    response.read()
                self.callbacks_sent += 1
            except (urllib.error.URLError, OSError) as exc:
                log.warning("usage callback failed: %s", exc)


class Handler(BaseHTTPRequestHandler):
    server_version = "SandboxProvider/1.0"
    sandbox: Sandbox

    def log_message(self, format: str, *args: Any) -> None:
        log.info("%s %s", self.address_string(), format % args)

    # --- plumbing ---------------------------------------------------------------------------
    def _body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _send(
        self,
        status: int,
        payload: Any,
        *,
        content_type: str = "application/json",
        headers: dict[str, str] | None = None,
    ) -> None:
        data = (
            payload
            if isinstance(payload, bytes)
            else (payload.encode() if isinstance(payload, str) else json.dumps(payload).encode())
        )
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def _misbehave(self) -> bool:
        """Apply the control mode to API calls. True when the reply has been sent."""
        mode = self.sandbox.mode
        if mode == "down":
            self._send(503, {"error": "service unavailable"})
            return True
        if mode == "error500":
            self._send(500, b"<html>Internal Server Error</html>", content_type="text/html")
            return True
        if mode == "garbage":
            self._send(200, b"\x00\x01 not json {{{", content_type="application/json")
            return True
        return False

    def _verify(self, body: bytes) -> str | None:
        """The provider code of a correctly signed request, else None (reply sent)."""
        key_id = self.headers.get("X-SL-Key-Id", "")
        timestamp = self.headers.get("X-SL-Timestamp", "")
        signature = self.headers.get("X-SL-Signature", "")
        if not key_id or not timestamp.isdigit() or not signature.startswith("v1="):
            self._send(401, {"error": "missing signature"})
            return None
        if abs(time.time() - int(timestamp)) > REPLAY_WINDOW_SECONDS:
            self._send(401, {"error": "stale timestamp"})
            return None
        secret = derive_secret(self.sandbox.master_secret, key_id)
        expected = hmac.new(
            secret.encode(),
            _string_to_sign(self.command, self.path, timestamp, body),
            hashlib.sha256,
        ).hexdigest()
        if not hmac.compare_digest(expected, signature[3:]):
            self._send(401, {"error": "bad signature"})
            return None
        return key_id

    def _control_allowed(self) -> bool:
        token = self.sandbox.control_token
        if token and not hmac.compare_digest(self.headers.get("X-Sandbox-Control", ""), token):
            self._send(403, {"error": "control token required"})
            return False
        return True

    # --- routes -----------------------------------------------------------------------------
    def do_GET(self) -> None:
        url = urlsplit(self.path)
        if url.path == "/healthz":
            self._send(200, {"status": "ok"})
        elif url.path == "/_control":
            if self._control_allowed():
                self._send(200, self._state())
        elif url.path == "/lesson":
            self._lesson()
        elif url.path == "/v1/usage":
            body = self._body()
            provider = self._verify(body)
            if provider is None:
                return
            if self._misbehave():
                return
            self._slow()
            self._usage(provider, parse_qs(url.query).get("date", [""])[0])
        elif url.path == "/":
            self._send(200, "<h1>Sandbox provider</h1>", content_type="text/html; charset=utf-8")
        else:
            self._send(404, {"error": "not found"})

    def do_POST(self) -> None:
        url = urlsplit(self.path)
        body = self._body()
        if url.path == "/_control":
            if self._control_allowed():
                self._control(body)
            return
        if url.path == "/sso/launch":
            self._launch(body)
            return
        parts = url.path.strip("/").split("/")
        if parts[:2] != ["v1", "accounts"]:
            self._send(404, {"error": "not found"})
            return
        provider = self._verify(body)
        if provider is None or self._misbehave():
            return
        try:
            payload = json.loads(body or b"{}")
        except ValueError:
            self._send(400, {"error": "body is not JSON"})
            return
        if len(parts) == 2:
            self._create_account(provider, payload)
        elif len(parts) == 4 and parts[3] in {"suspend", "reactivate", "close"}:
            self._transition(provider, parts[2], parts[3])
        else:
            self._send(404, {"error": "not found"})

    def _slow(self) -> None:
        if self.sandbox.mode == "slow":
            time.sleep(self.sandbox.delay)

    def _create_account(self, provider: str, payload: dict[str, Any]) -> None:
        key = self.headers.get("Idempotency-Key", "")
        learner_id = str(payload.get("learner_id", ""))
        offering = str(payload.get("offering", ""))
        if not key or not learner_id or not offering:
            self._send(400, {"error": "Idempotency-Key, learner_id and offering are required"})
            return
        with self.sandbox.lock, self.sandbox.db() as conn:
            row = conn.execute(
                "SELECT * FROM accounts WHERE idempotency_key = ?", (key,)
            ).fetchone()
            status = 200
            if row is None:
                account_id = "acc_" + secrets.token_hex(8)
                conn.execute(
                    "INSERT INTO accounts VALUES (?, ?, ?, ?, ?, 'active', ?)",
                    (
                        account_id,
                        provider,
                        learner_id,
                        offering,
                        key,
                        datetime.now(UTC).isoformat(),
                    ),
                )
                row = conn.execute(
                    "SELECT * FROM accounts WHERE account_id = ?", (account_id,)
                ).fetchone()
                status = 201
        # Slow mode answers late *after* the account exists: the platform's retry must then
        # get the same account back through the idempotency key.
        self._slow()
        self._send(
            status,
            {
                "account_id": row["account_id"],
                "status": row["status"],
                "learner_id": row["learner_id"],
            },
        )

    def _transition(self, provider: str, account_id: str, action: str) -> None:
        new_status = {"suspend": "suspended", "reactivate": "active", "close": "closed"}[action]
        with self.sandbox.db() as conn:
            row = conn.execute(
                "SELECT * FROM accounts WHERE account_id = ? AND provider = ?",
                (account_id, provider),
            ).fetchone()
            if row is None:
                self._send(404, {"error": "unknown account"})
                return
            if row["status"] == "closed" and new_status != "closed":
                self._send(409, {"error": "account is closed"})
                return
            conn.execute(
                "UPDATE accounts SET status = ? WHERE account_id = ?", (new_status, account_id)
            )
        self._slow()
        self._send(200, {"account_id": account_id, "status": new_status})

    def _usage(self, provider: str, day: str) -> None:
        try:
            date.fromisoformat(day)
        except ValueError:
            self._send(400, {"error": "date=YYYY-MM-DD is required"})
            return
        with self.sandbox.db() as conn:
            rows = conn.execute(
                "SELECT account_id, learner_id, SUM(minutes) AS minutes, COUNT(*) AS lessons "
                "FROM events WHERE provider = ? AND day = ? GROUP BY account_id, learner_id",
                (provider, day),
            ).fetchall()
        self._send(
            200,
            {
                "date": day,
                "records": [
                    {
                        "date": day,
                        "account_id": r["account_id"],
                        "learner_id": r["learner_id"],
                        "minutes": r["minutes"],
                        "lessons_completed": r["lessons"],
                    }
                    for r in rows
                ],
            },
        )

    def _launch(self, body: bytes) -> None:
        form = parse_qs(body.decode("utf-8", "replace"))
        token = (form.get("id_token") or [""])[0]
        try:
            header = jwt.get_unverified_header(token)
            signing_key = self.sandbox.jwks_client().get_signing_key(header.get("kid", ""))
            unverified = jwt.decode(token, options={"verify_signature": False})
            claims = jwt.decode(
                token,
                signing_key.key,
                algorithms=["RS256"],
                audience=str(unverified.get("aud", "")),
                issuer=self.sandbox.platform_url,
                options={"require": ["exp", "iat", "nonce", "sub", "aud", "iss"]},
                leeway=5,
            )
        except (jwt.PyJWTError, ValueError, KeyError) as exc:
            self._page(401, "로그인 실패 / Sign-in failed", f"<p>{html.escape(str(exc))}</p>")
            return
        with self.sandbox.lock, self.sandbox.db() as conn:
            account = conn.execute(
                "SELECT * FROM accounts WHERE account_id = ?", (claims.get("sl_account_id"),)
            ).fetchone()
            if (
                account is None
                or account["provider"] != claims["aud"]
                or account["learner_id"] != claims["sub"]
                or account["status"] != "active"
            ):
                self._page(403, "계정 없음 / No account", "<p>unknown or inactive account</p>")
                return
            try:
                conn.execute(
                    "INSERT INTO nonces VALUES (?, ?)",
                    (claims["nonce"], datetime.now(UTC).isoformat()),
                )
            except sqlite3.IntegrityError:
                self._page(401, "재사용된 로그인 / Replayed launch", "<p>nonce already used</p>")
                return
            session = secrets.token_urlsafe(24)
            conn.execute(
                "INSERT INTO sessions VALUES (?, ?, ?, ?, ?)",
                (
                    session,
                    account["account_id"],
                    claims["sub"],
                    account["provider"],
                    datetime.now(UTC).isoformat(),
                ),
            )
        cookie = f"sandbox_session={session}; Path=/; HttpOnly; SameSite=Lax"
        self._send(
            303,
            b"",
            content_type="text/plain",
            headers={"Location": "/lesson", "Set-Cookie": cookie},
        )

    def _lesson(self) -> None:
        cookie = SimpleCookie(self.headers.get("Cookie", ""))
        token = cookie["sandbox_session"].value if "sandbox_session" in cookie else ""
        with self.sandbox.db() as conn:
            session = conn.execute("SELECT * FROM sessions WHERE token = ?", (token,)).fetchone()
            if session is None:
                self._page(
                    401,
                    "로그인이 필요합니다 / Please sign in",
                    "<p>서울런에서 '지금 학습하기'를 눌러 주세요.</p>",
                )
                return
            now = datetime.now(UTC)
            event = {
                "event_id": "evt_" + uuid.uuid4().hex,
                "learner_id": session["learner_id"],
                "account_id": session["account_id"],
                "kind": "lesson_viewed",
                "occurred_at": now.isoformat(),
                "minutes": 10,
            }
            conn.execute(
                "INSERT INTO events VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    event["event_id"],
                    session["account_id"],
                    session["provider"],
                    session["learner_id"],
                    now.date().isoformat(),
                    10,
                    now.isoformat(),
                ),
            )
        threading.Thread(
            target=self.sandbox.push_events, args=(session["provider"], [event]), daemon=True
        ).start()
        learner = html.escape(session["learner_id"])
        self._page(
            200,
            f"{html.escape(session['provider'])} 수업 / Lesson",
            f"""
<p class="who">학습자 ID (가명): <strong id="learner-id">{learner}</strong></p>
<p>Learner (pseudonymous): {learner}</p>
<section><h2>오늘의 수업: 분수의 덧셈</h2>
<p>분모가 같은 분수는 분자끼리 더합니다. 예) 1/5 + 2/5 = 3/5</p></section>""",
        )

    def _page(self, status: int, title: str, body: str) -> None:
        page = f"""<!DOCTYPE html><html lang="ko"><head><meta charset="utf-8">
<title>{html.escape(title)}</title><style>body{{font-family:sans-serif;max-width:48rem;
margin:2rem auto;padding:0 1rem}} .badge{{background:#fde68a;padding:.2rem .6rem;
border-radius:.4rem}}</style></head><body><p class="badge">SANDBOX PROVIDER</p>
<h1>{html.escape(title)}</h1>{body}</body></html>"""
        self._send(status, page, content_type="text/html; charset=utf-8")

    def _state(self) -> dict[str, Any]:
        with self.sandbox.db() as conn:
            accounts = [dict(r) for r in conn.execute("SELECT * FROM accounts ORDER BY created_at")]
            events = conn.execute("SELECT COUNT(*) FROM events").fetchone()[0]
        return {
            "mode": self.sandbox.mode,
            "delay": self.sandbox.delay,
            "duplicate_callbacks": self.sandbox.duplicate_callbacks,
            "callbacks_sent": self.sandbox.callbacks_sent,
            "accounts": accounts,
            "events": events,
        }

    def _control(self, body: bytes) -> None:
        try:
            payload = json.loads(body or b"{}")
        except ValueError:
            self._send(400, {"error": "body is not JSON"})
            return
        mode = payload.get("mode", self.sandbox.mode)
        if mode not in MODES:
            self._send(400, {"error": f"mode must be one of {sorted(MODES)}"})
            return
        self.sandbox.mode = mode
        self.sandbox.delay = float(payload.get("delay", self.sandbox.delay))
        self.sandbox.duplicate_callbacks = bool(
            payload.get("duplicate_callbacks", self.sandbox.duplicate_callbacks)
        )
        self._send(200, self._state())


def make_server(host: str, port: int, sandbox: Sandbox) -> ThreadingHTTPServer:
    handler = type("BoundHandler", (Handler,), {"sandbox": sandbox})
    server = ThreadingHTTPServer((host, port), handler)
    server.daemon_threads = True
    return server


def main(argv: list[str] | None = None) -> int:
    root = Path(__file__).resolve().parent.parent
    parser = argparse.ArgumentParser(description="Seoul Learn sandbox content provider")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8100)
    parser.add_argument(
        "--db",
        default=os.environ.get(
            "SANDBOX_PROVIDER_DB", str(root / "var" / "sandbox-provider.sqlite3")
        ),
    )
    parser.add_argument(
        "--platform-url",
        default=os.environ.get(
            "SANDBOX_PLATFORM_URL", os.environ.get("SITE_URL", "http://127.0.0.1:8000")
        ),
    )
    parser.add_argument(
        "--secret", default=os.environ.get("SANDBOX_PROVIDER_SECRET", "sandbox-provider-dev-secret")
    )
    parser.add_argument("--control-token", default=os.environ.get("SANDBOX_CONTROL_TOKEN", ""))
    parser.add_argument("--no-push", action="store_true", help="do not push usage callbacks")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    sandbox = Sandbox(
        db_path=args.db,
        master_secret=args.secret,
        platform_url=args.platform_url,
        control_token=args.control_token,
        push_usage=not args.no_push,
    )
    server = make_server(args.host, args.port, sandbox)
    print(
        f"sandbox provider on http://{args.host}:{args.port}/ (platform {args.platform_url})",
        flush=True,
    )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
