"""The xAPI resources under /xapi/ (Communication part of xAPI 1.0.3 and 2.0).

Plain Django views behind one thin dispatcher (``endpoint``) that does what every resource
shares: version negotiation (``X-Experience-API-Version``), the 1.0.x alternate request syntax,
authentication, parameter checks, size limits and the error responses. CSRF does not apply:
callers are credentialed machine clients.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode

import orjson
from django.conf import settings
from django.core import signing
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from django.utils.http import http_date
from django.views.decorators.csrf import csrf_exempt

from seoullearn.core.timeutil import now
from seoullearn.lrs import auth, selectors, services, xapi
from seoullearn.lrs.errors import (
    BadRequest,
    Forbidden,
    LRSError,
    NotFoundError,
    TooLarge,
)
from seoullearn.lrs.models import Document
from seoullearn.lrs.services import Credential, DocumentScope

logger = logging.getLogger(__name__)

_HEADER_FORM_FIELDS = {
    "authorization": "Authorization",
    "x-experience-api-version": "X-Experience-API-Version",
    "content-type": "Content-Type",
    "content-length": "Content-Length",
    "if-match": "If-Match",
    "if-none-match": "If-None-Match",
}
_VERSION_HEADER = re.compile(r"^(1\.0|2\.0)(?:\.\d+)?$")
MORE_MAX_AGE = 48 * 3600


def max_request_bytes() -> int:
    configured = getattr(settings, "LRS_MAX_REQUEST_BYTES", None)
    if configured is None:
        configured = os.environ.get("LRS_MAX_REQUEST_BYTES") or 20 * 1024 * 1024
    return int(configured)


@dataclass
class XRequest:
    method: str
    params: dict[str, str]
    headers: dict[str, str]
    body: bytes
    content_type: str
    version: str = xapi.V2
    credential: Credential | None = None
    django: HttpRequest | None = None
    raw_content_type: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


def _base_content_type(value: str) -> str:
    return value.split(";")[0].strip().lower()


def _read_body(request: HttpRequest) -> bytes:
    length = request.META.get("CONTENT_LENGTH")
    if length:
        try:
            if int(length) > max_request_bytes():
                raise TooLarge(f"the request is larger than {max_request_bytes()} bytes")
        except ValueError as exc:
            raise BadRequest("Content-Length is not a number") from exc
    try:
        body = request.body
    except RequestDataTooBig as exc:
        raise TooLarge("the request is too large") from exc
    if len(body) > max_request_bytes():
        raise TooLarge(f"the request is larger than {max_request_bytes()} bytes")
    return body


def _build_request(request: HttpRequest) -> XRequest:
    headers = {key.lower(): value for key, value in request.headers.items()}
    query = dict(parse_qsl(request.META.get("QUERY_STRING", ""), keep_blank_values=True))
    body = _read_body(request)
    content_type = request.META.get("CONTENT_TYPE", "")
    xreq = XRequest(
        method=request.method or "GET",
        params=query,
        headers=headers,
        body=body,
        content_type=_base_content_type(content_type),
        raw_content_type=content_type,
        django=request,
    )
    if "method" in query:
        _alternate_syntax(xreq)
    return xreq


def _alternate_syntax(xreq: XRequest) -> None:
    """Communication 1.3 (1.0.x only; IEEE 9274.1.1 removed it)."""
    if xreq.method != "POST":
        raise BadRequest("the alternate request syntax must be sent as POST")
    if set(xreq.params) != {"method"}:
        raise BadRequest(
            "with the alternate request syntax the query string holds only the method parameter"
        )
    method = xreq.params["method"].upper()
    if method not in ("GET", "PUT", "POST", "DELETE", "HEAD"):
        raise BadRequest(f"unknown method {xreq.params['method']!r}")
    if xreq.content_type != "application/x-www-form-urlencoded":
        raise BadRequest(
            "the alternate request syntax needs Content-Type application/x-www-form-urlencoded"
        )
    try:
        form = dict(
            parse_qsl(xreq.body.decode("utf-8"), keep_blank_values=True, strict_parsing=False)
        )
    except UnicodeDecodeError as exc:
        raise BadRequest("the form is not UTF-8") from exc
    headers = dict(xreq.headers)
    params: dict[str, str] = {}
    content = None
    for key, value in form.items():
        lowered = key.lower()
        if key == "content":
            content = value
        elif lowered in _HEADER_FORM_FIELDS and key == _HEADER_FORM_FIELDS[lowered]:
            headers[lowered] = value
        else:
            params[key] = value
    xreq.method = method
    xreq.params = params
    xreq.headers = headers
    xreq.body = content.encode("utf-8") if content is not None else b""
    declared = headers.get("content-type", "")
    if declared.lower().startswith("application/x-www-form-urlencoded"):
        declared = "application/json" if content is not None else ""
    xreq.raw_content_type = declared
    xreq.content_type = _base_content_type(declared)
    xreq.extra["alternate"] = True


def _negotiate_version(xreq: XRequest, *, required: bool) -> None:
    value = xreq.header("X-Experience-API-Version")
    if value is None:
        if required:
            raise BadRequest("the X-Experience-API-Version header is required")
        return
    match = _VERSION_HEADER.match(value.strip())
    if match is None:
        raise BadRequest(f"X-Experience-API-Version {value!r} is not supported; use 1.0.x or 2.0.x")
    xreq.version = match.group(1)
    if xreq.version == xapi.V2 and xreq.extra.get("alternate"):
        raise BadRequest("xAPI 2.0 has no alternate request syntax; send a normal request")


def _json_response(data: Any, status: int = 200) -> HttpResponse:
    return HttpResponse(orjson.dumps(data), status=status, content_type="application/json")


def _finish(response: HttpResponse, xreq: XRequest | None, *, head: bool) -> HttpResponse:
    version = xreq.version if xreq is not None else xapi.V2
    response["X-Experience-API-Version"] = xapi.LATEST[version]
    response["Access-Control-Expose-Headers"] = (
        "ETag, Last-Modified, Cache-Control, Content-Type, Content-Length, WWW-Authenticate, "
        "X-Experience-API-Version, X-Experience-API-Consistent-Through"
    )
    if head:
        response.content = b""
    return response


def _error_response(exc: LRSError, xreq: XRequest | None, accept: str | None) -> HttpResponse:
    accept = (accept or "").lower()
    if "application/json" in accept or "text/plain" not in accept:
        response = _json_response({"error": True, "message": exc.message}, status=exc.status)
    else:
        response = HttpResponse(exc.message, status=exc.status, content_type="text/plain")
    if exc.status == 401:
        response["WWW-Authenticate"] = 'Basic realm="xAPI"'
    return response


Handler = Callable[[XRequest], HttpResponse]


def endpoint(
    handlers: dict[str, Handler],
    *,
    auth_required: bool = True,
    version_required: bool = True,
    consistent_through: bool = False,
) -> Callable[[HttpRequest], HttpResponse]:
    @csrf_exempt
    def view(request: HttpRequest) -> HttpResponse:
        xreq: XRequest | None = None
        head = False
        try:
            xreq = _build_request(request)
            head = xreq.method == "HEAD"
            _negotiate_version(xreq, required=version_required)
            method = "GET" if head else xreq.method
            handler = handlers.get(method)
            if handler is None:
                response = _json_response(
                    {"error": True, "message": f"{xreq.method} is not allowed here"}, status=405
                )
                response["Allow"] = ", ".join(
                    sorted({*handlers, "HEAD"} if "GET" in handlers else handlers)
                )
                return _finish(response, xreq, head=head)
            if auth_required:
                xreq.credential = auth.authenticate(xreq.header("Authorization"))
            response = handler(xreq)
        except LRSError as exc:
            response = _error_response(exc, xreq, request.headers.get("Accept"))
        if consistent_through:
            _consistent_through(response)
        return _finish(response, xreq, head=head)

    return view


# --- parameters ----------------------------------------------------------------------------


def _check_params(xreq: XRequest, allowed: set[str], required: set[str] = frozenset()) -> None:  # type: ignore[assignment]
    lowered = {name.lower(): name for name in allowed}
    for name in xreq.params:
        if name not in allowed:
            if name.lower() in lowered:
                raise BadRequest(f"parameter {name!r} must be spelled {lowered[name.lower()]!r}")
            raise BadRequest(f"parameter {name!r} is not recognised here")
    for name in required:
        if name not in xreq.params:
            raise BadRequest(f"parameter {name!r} is required")


def _json_param(xreq: XRequest, name: str) -> Any:
    try:
        return orjson.loads(xreq.params[name])
    except orjson.JSONDecodeError as exc:
        raise BadRequest(f"parameter {name!r} must be JSON") from exc


def _agent_param(xreq: XRequest, name: str = "agent", *, query: bool = False) -> dict[str, Any]:
    value = _json_param(xreq, name)
    try:
        if query:
            return xapi.validate_query_agent(value, name)
        return xapi.validate_agent_parameter(value, name)
    except xapi.XAPIError as exc:
        raise BadRequest(str(exc)) from exc


def _iri_param(xreq: XRequest, name: str) -> str:
    value = xreq.params[name]
    if not xapi.is_iri(value):
        raise BadRequest(f"parameter {name!r} must be an IRI with a scheme")
    return value


def _uuid_param(xreq: XRequest, name: str) -> uuid.UUID:
    value = xreq.params[name]
    if not xapi.is_uuid(value):
        raise BadRequest(f"parameter {name!r} must be a UUID")
    return uuid.UUID(value)


def _bool_param(xreq: XRequest, name: str) -> bool:
    value = xreq.params.get(name)
    if value is None:
        return False
    if value not in ("true", "false"):
        raise BadRequest(f"parameter {name!r} must be true or false")
    return value == "true"


def _time_param(xreq: XRequest, name: str) -> dt.datetime:
    try:
        return xapi.parse_timestamp(xreq.params[name], name)
    except xapi.XAPIError as exc:
        raise BadRequest(str(exc)) from exc


def _parse_json_body(xreq: XRequest) -> Any:
    if not xreq.body:
        raise BadRequest("the request has no content")
    try:
        return orjson.loads(xreq.body)
    except orjson.JSONDecodeError as exc:
        raise BadRequest(f"the content is not valid JSON: {exc}") from exc


def _consistent_through(response: HttpResponse) -> HttpResponse:
    # Statements are readable as soon as the request that stored them returns.
    response["X-Experience-API-Consistent-Through"] = xapi.format_timestamp(now())
    return response


# --- multipart/mixed ---------------------------------------------------------------------------


def _boundary(raw_content_type: str) -> str:
    match = re.search(r'boundary\s*=\s*(?:"([^"]+)"|([^;\s]+))', raw_content_type, re.I)
    if match is None:
        raise BadRequest("multipart/mixed needs a boundary parameter")
    return match.group(1) or match.group(2)


def parse_multipart(body: bytes, raw_content_type: str) -> list[tuple[dict[str, str], bytes]]:
    """Split a multipart/mixed body (RFC 2046) into (headers, content) parts."""
    delimiter = b"--" + _boundary(raw_content_type).encode("latin-1")
    if not body.startswith(delimiter):
        body = b"\r\n" + body
        delimiter = b"\r\n" + delimiter
        start = body.find(delimiter)
    else:
        start = 0
    if start < 0:
        raise BadRequest("the multipart/mixed content does not contain its boundary")
    parts = []
    position = start + len(delimiter)
    while True:
        if body[position : position + 2] == b"--":
            break
        if body[position : position + 2] != b"\r\n":
            raise BadRequest("malformed multipart/mixed content: expected CRLF after boundary")
        position += 2
        end = body.find(b"\r\n" + delimiter.lstrip(b"\r\n"), position)
        if end < 0:
            raise BadRequest("malformed multipart/mixed content: missing closing boundary")
        chunk = body[position:end]
        header_end = chunk.find(b"\r\n\r\n")
        if header_end < 0:
            header_blob, content = b"", chunk[2:] if chunk.startswith(b"\r\n") else chunk
            if not chunk.startswith(b"\r\n"):
                raise BadRequest("malformed multipart/mixed part: no blank line after headers")
        else:
            header_blob, content = chunk[:header_end], chunk[header_end + 4 :]
        headers: dict[str, str] = {}
        for line in header_blob.decode("latin-1").split("\r\n"):
            if not line.strip():
                continue
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        parts.append((headers, content))
        position = end + 2 + len(delimiter.lstrip(b"\r\n"))
    return parts


def _statements_from_multipart(xreq: XRequest) -> tuple[Any, dict[str, tuple[str, bytes]]]:
    parts = parse_multipart(xreq.body, xreq.raw_content_type)
    if not parts:
        raise BadRequest("multipart/mixed content without parts")
    first_headers, first = parts[0]
    if _base_content_type(first_headers.get("content-type", "")) != "application/json":
        raise BadRequest("the first part of multipart/mixed must be application/json Statements")
    try:
        statements = orjson.loads(first)
    except orjson.JSONDecodeError as exc:
        raise BadRequest(f"the Statement part is not valid JSON: {exc}") from exc
    attachments: dict[str, tuple[str, bytes]] = {}
    for index, (headers, content) in enumerate(parts[1:], start=1):
        declared = headers.get("x-experience-api-hash")
        if not declared:
            raise BadRequest(f"multipart part {index} has no X-Experience-API-Hash header")
        if headers.get("content-transfer-encoding", "").lower() != "binary":
            raise BadRequest(f"multipart part {index} needs Content-Transfer-Encoding: binary")
        declared = declared.lower()
        algorithms = {56: "sha224", 64: "sha256", 96: "sha384", 128: "sha512"}
        algorithm = algorithms.get(len(declared))
        if algorithm is None or hashlib.new(algorithm, content).hexdigest() != declared:
            raise BadRequest(f"multipart part {index}: the data does not match its SHA-2 hash")
        attachments[declared] = (headers.get("content-type", "application/octet-stream"), content)
    return statements, attachments


def _multipart_response(payload: bytes, attachments: list[Any]) -> HttpResponse:
    boundary = "xapi-" + uuid.uuid4().hex
    chunks = [
        f"--{boundary}\r\nContent-Type: application/json\r\n\r\n".encode(),
        payload,
        b"\r\n",
    ]
    for attachment in attachments:
        chunks.append(
            (
                f"--{boundary}\r\nContent-Type: {attachment.content_type}\r\n"
                "Content-Transfer-Encoding: binary\r\n"
                f"X-Experience-API-Hash: {attachment.sha2}\r\n\r\n"
            ).encode()
        )
        chunks.append(bytes(attachment.content))
        chunks.append(b"\r\n")
    chunks.append(f"--{boundary}--".encode())
    return HttpResponse(b"".join(chunks), content_type=f'multipart/mixed; boundary="{boundary}"')


# --- Statement resource ------------------------------------------------------------------------


def _statements_body(xreq: XRequest) -> tuple[Any, dict[str, tuple[str, bytes]]]:
    if xreq.content_type == "application/json":
        return _parse_json_body(xreq), {}
    if xreq.content_type == "multipart/mixed":
        return _statements_from_multipart(xreq)
    if not xreq.content_type:
        raise BadRequest("Content-Type is required: application/json or multipart/mixed")
    raise BadRequest(
        f"Content-Type {xreq.content_type!r} is not accepted for Statements; "
        "use application/json or multipart/mixed"
    )


def _require(xreq: XRequest, *scopes: str) -> Credential:
    credential = xreq.credential
    assert credential is not None
    if not credential.allows(*scopes):
        raise Forbidden(
            "this credential's scopes do not allow this request (needs one of: "
            + ", ".join(scopes)
            + ")"
        )
    return credential


def statements_put(xreq: XRequest) -> HttpResponse:
    credential = _require(xreq, "statements/write")
    _check_params(xreq, {"statementId"}, {"statementId"})
    statement_id = str(_uuid_param(xreq, "statementId"))
    statement, attachments = _statements_body(xreq)
    if not isinstance(statement, dict):
        raise BadRequest("PUT takes a single Statement object")
    if isinstance(statement.get("id"), str) and statement["id"].lower() != statement_id:
        raise BadRequest("the Statement's id differs from the statementId parameter")
    statement["id"] = statement_id
    services.statements_store(
        statements=[statement],
        credential=credential,
        version=xreq.version,
        attachments=attachments,
    )
    return _consistent_through(HttpResponse(status=204))


_GET_PARAMS = {
    "statementId",
    "voidedStatementId",
    "agent",
    "verb",
    "activity",
    "registration",
    "related_activities",
    "related_agents",
    "since",
    "until",
    "limit",
    "format",
    "attachments",
    "ascending",
    "more",
}


def statements_post(xreq: XRequest) -> HttpResponse:
    credential = _require(xreq, "statements/write")
    _check_params(xreq, set())
    body, attachments = _statements_body(xreq)
    if isinstance(body, dict):
        statements = [body]
    elif isinstance(body, list):
        statements = body
        if not statements:
            raise BadRequest("the batch is empty")
    else:
        raise BadRequest("POST takes a Statement or an array of Statements")
    ids = services.statements_store(
        statements=statements,
        credential=credential,
        version=xreq.version,
        attachments=attachments,
    )
    return _consistent_through(_json_response(ids))


def _read_scope(xreq: XRequest) -> int | None:
    """None when the credential reads every Statement, else the client id it is limited to."""
    credential = xreq.credential
    assert credential is not None
    if credential.allows("statements/read", "all/read"):
        return None
    if "statements/read/mine" in credential.scopes:
        return credential.client.pk
    raise Forbidden("this credential may not read Statements")


def _log_member_read(xreq: XRequest, agent: dict[str, Any] | None) -> None:
    if agent is None:
        return
    user = selectors.user_for_actor(agent)
    if user is None:
        return
    from seoullearn.core.services import access_log_record

    credential = xreq.credential
    assert credential is not None
    access_log_record(
        actor=None,
        actor_label=f"xAPI client {credential.client.name}"[:150],
        subject=user,
        action="view",
        purpose="xAPI Statement query by a learning record consumer",
        request=xreq.django,
        detail=f"client {credential.client.public_id}",
    )


def statements_get(xreq: XRequest) -> HttpResponse:
    only_client = _read_scope(xreq)
    _check_params(xreq, _GET_PARAMS)
    params = dict(xreq.params)
    fmt = params.get("format", "exact")
    if fmt not in ("exact", "ids", "canonical"):
        raise BadRequest("parameter 'format' must be ids, exact or canonical")
    with_attachments = _bool_param(xreq, "attachments")
    if "statementId" in params or "voidedStatementId" in params:
        name = "statementId" if "statementId" in params else "voidedStatementId"
        others = set(params) - {name, "format", "attachments"}
        if others:
            raise BadRequest(
                f"{name} may be combined only with format and attachments, not "
                + ", ".join(sorted(others))
            )
        found = selectors.statement_by_id(
            _uuid_param(xreq, name), voided=name == "voidedStatementId", only_client_id=only_client
        )
        if found is None:
            raise NotFoundError(f"no Statement with {name} {params[name]}")
        stored, text = found
        statement = orjson.loads(text)
        statement = selectors.format_statements([statement], fmt, xreq.header("Accept-Language"))[0]
        body = orjson.dumps(statement)
        if with_attachments:
            response = _multipart_response(body, selectors.attachments_for([statement]))
        else:
            response = HttpResponse(body, content_type="application/json")
        response["Last-Modified"] = http_date(stored.timestamp())
        return _consistent_through(response)

    if "more" in params:
        query, fmt, with_attachments = _query_from_more(xreq, params["more"], only_client)
    else:
        query = _query_from_params(xreq, params, only_client)
        _log_member_read(xreq, query.agent)
    rows, has_more = selectors.statements_page(query)
    more = ""
    if has_more and rows:
        last_pk, last_stored = rows[-1][0], rows[-1][1]
        token = signing.dumps(
            {
                "p": {k: v for k, v in params.items() if k != "more"},
                "s": last_stored.isoformat(),
                "i": last_pk,
                "c": only_client,
                "v": xreq.version,
            },
            salt="lrs.more",
            compress=True,
        )
        more = "/xapi/statements?" + urlencode({"more": token})
    texts = [selectors.payload_text(row[2]) for row in rows]
    if fmt == "exact" and not with_attachments:
        body = (
            b'{"statements":[' + ",".join(texts).encode() + b'],"more":' + orjson.dumps(more) + b"}"
        )
        statements_list: list[dict[str, Any]] = []
    else:
        statements_list = selectors.format_statements(
            [orjson.loads(text) for text in texts], fmt, xreq.header("Accept-Language")
        )
        body = orjson.dumps({"statements": statements_list, "more": more})
    if with_attachments:
        response = _multipart_response(body, selectors.attachments_for(statements_list))
    else:
        response = HttpResponse(body, content_type="application/json")
    if rows:
        newest = max(row[1] for row in rows)
        response["Last-Modified"] = http_date(newest.timestamp())
    return _consistent_through(response)


def _query_from_params(
    xreq: XRequest, params: dict[str, str], only_client: int | None
) -> selectors.StatementQuery:
    query = selectors.StatementQuery(only_client_id=only_client)
    if "agent" in params:
        query.agent = _agent_param(xreq, "agent", query=True)
    if "verb" in params:
        query.verb = _iri_param(xreq, "verb")
    if "activity" in params:
        query.activity = _iri_param(xreq, "activity")
    if "registration" in params:
        query.registration = _uuid_param(xreq, "registration")
    query.related_activities = _bool_param(xreq, "related_activities")
    query.related_agents = _bool_param(xreq, "related_agents")
    query.ascending = _bool_param(xreq, "ascending")
    if "since" in params:
        query.since = _time_param(xreq, "since")
    if "until" in params:
        query.until = _time_param(xreq, "until")
    if "limit" in params:
        if not params["limit"].isdigit():
            raise BadRequest("parameter 'limit' must be a non-negative integer")
        query.limit = int(params["limit"])
    return query


def _query_from_more(
    xreq: XRequest, token: str, only_client: int | None
) -> tuple[selectors.StatementQuery, str, bool]:
    if set(xreq.params) != {"more"}:
        raise BadRequest("a more link takes no other parameters")
    try:
        data = signing.loads(token, salt="lrs.more", max_age=MORE_MAX_AGE)
    except signing.BadSignature as exc:
        raise BadRequest("the more link is invalid or has expired") from exc
    if data.get("c") != only_client:
        raise Forbidden("the more link belongs to another credential's query")
    inner = XRequest(
        method="GET",
        params=data["p"],
        headers=xreq.headers,
        body=b"",
        content_type="",
        version=data.get("v", xreq.version),
        credential=xreq.credential,
    )
    query = _query_from_params(inner, data["p"], only_client)
    query.after = (dt.datetime.fromisoformat(data["s"]), int(data["i"]))
    xreq.params = data["p"]
    return query, data["p"].get("format", "exact"), data["p"].get("attachments") == "true"


# --- document resources ------------------------------------------------------------------------


def _document_response(document: Document) -> HttpResponse:
    response = HttpResponse(bytes(document.content), content_type=document.content_type)
    response["ETag"] = f'"{document.etag}"'
    response["Last-Modified"] = http_date(document.updated.timestamp())
    return response


def _ids_response(rows: list[tuple[str, dt.datetime]]) -> HttpResponse:
    body = orjson.dumps([document_id for document_id, _ in rows])
    response = HttpResponse(body, content_type="application/json")
    response["ETag"] = f'"{hashlib.sha1(body).hexdigest()}"'  # noqa: S324
    if rows:
        response["Last-Modified"] = http_date(max(updated for _, updated in rows).timestamp())
    return response


def _document_handlers(
    kind: str,
    scope_of: Callable[[XRequest], DocumentScope],
    id_param: str,
    scope_params: set[str],
    required_params: set[str],
    read_scopes: tuple[str, ...],
    write_scopes: tuple[str, ...],
    precondition_on_put: Callable[[XRequest], bool],
) -> dict[str, Handler]:
    def get(xreq: XRequest) -> HttpResponse:
        credential = _require(xreq, *read_scopes)
        _check_params(xreq, scope_params | {id_param, "since"}, required_params)
        scope = scope_of(xreq)
        documents = Document.objects.filter(scope.filter())
        if not credential.allows("all/read"):
            # A provider sees the documents it wrote, not another provider's.
            documents = documents.filter(client=credential.client)
        if id_param in xreq.params:
            if "since" in xreq.params:
                raise BadRequest(f"since is for the list of ids, not with {id_param}")
            document = documents.filter(document_id=xreq.params[id_param]).first()
            if document is None:
                raise NotFoundError("no such document")
            return _document_response(document)
        if "since" in xreq.params:
            documents = documents.filter(updated__gt=_time_param(xreq, "since"))
        return _ids_response(
            list(documents.order_by("document_id").values_list("document_id", "updated"))
        )

    def save(xreq: XRequest, merge: bool) -> HttpResponse:
        credential = _require(xreq, *write_scopes)
        _check_params(xreq, scope_params | {id_param}, required_params | {id_param})
        scope = scope_of(xreq)
        services.document_save(
            scope=scope,
            document_id=xreq.params[id_param],
            content=xreq.body,
            content_type=xreq.raw_content_type or "application/octet-stream",
            merge=merge,
            if_match=xreq.header("If-Match"),
            if_none_match=xreq.header("If-None-Match"),
            require_precondition=not merge and precondition_on_put(xreq),
            client=credential.client,
            owner_only="all" not in credential.scopes,
        )
        return HttpResponse(status=204)

    def delete(xreq: XRequest) -> HttpResponse:
        credential = _require(xreq, *write_scopes)
        allowed = scope_params | {id_param}
        _check_params(xreq, allowed, required_params)
        scope = scope_of(xreq)
        if id_param not in xreq.params and kind != Document.Kind.STATE:
            raise BadRequest(f"parameter {id_param!r} is required")
        services.document_delete(
            scope=scope,
            document_id=xreq.params.get(id_param),
            if_match=xreq.header("If-Match"),
            owner=None if "all" in credential.scopes else credential.client,
        )
        return HttpResponse(status=204)

    return {
        "GET": get,
        "PUT": lambda xreq: save(xreq, merge=False),
        "POST": lambda xreq: save(xreq, merge=True),
        "DELETE": delete,
    }


def _agent_key_text(agent: dict[str, Any]) -> str:
    key = xapi.agent_key(agent)
    assert key is not None
    return str(key)


def _state_scope(xreq: XRequest) -> DocumentScope:
    activity_id = _iri_param(xreq, "activityId")
    agent = _agent_param(xreq, "agent")
    registration = ""
    if "registration" in xreq.params:
        registration = str(_uuid_param(xreq, "registration"))
    return DocumentScope(
        kind=Document.Kind.STATE,
        activity_id=activity_id,
        agent_key=_agent_key_text(agent),
        registration=registration,
    )


def _activity_profile_scope(xreq: XRequest) -> DocumentScope:
    return DocumentScope(
        kind=Document.Kind.ACTIVITY_PROFILE, activity_id=_iri_param(xreq, "activityId")
    )


def _agent_profile_scope(xreq: XRequest) -> DocumentScope:
    return DocumentScope(
        kind=Document.Kind.AGENT_PROFILE, agent_key=_agent_key_text(_agent_param(xreq, "agent"))
    )


# 1.0.3 lets State PUTs go without concurrency headers (Communication 3.1.s3); 2.0 applies the
# 409 rule to all three document resources.
state = endpoint(
    _document_handlers(
        Document.Kind.STATE,
        _state_scope,
        "stateId",
        {"activityId", "agent", "registration"},
        {"activityId", "agent"},
        ("state", "all/read"),
        ("state",),
        lambda xreq: xreq.version == xapi.V2,
    )
)
activity_profile = endpoint(
    _document_handlers(
        Document.Kind.ACTIVITY_PROFILE,
        _activity_profile_scope,
        "profileId",
        {"activityId"},
        {"activityId"},
        ("profile", "all/read"),
        ("profile",),
        lambda xreq: True,
    )
)
agent_profile = endpoint(
    _document_handlers(
        Document.Kind.AGENT_PROFILE,
        _agent_profile_scope,
        "profileId",
        {"agent"},
        {"agent"},
        ("profile", "all/read"),
        ("profile",),
        lambda xreq: True,
    )
)

_ANY_READ = (
    "statements/read",
    "statements/read/mine",
    "all/read",
    "define",
    "state",
    "profile",
    "statements/write",
)


def activities_get(xreq: XRequest) -> HttpResponse:
    _require(xreq, *_ANY_READ)
    _check_params(xreq, {"activityId"}, {"activityId"})
    activity = selectors.activity_object(_iri_param(xreq, "activityId"))
    body = orjson.dumps(activity)
    response = HttpResponse(body, content_type="application/json")
    response["ETag"] = f'"{hashlib.sha1(body).hexdigest()}"'  # noqa: S324
    return response


def agents_get(xreq: XRequest) -> HttpResponse:
    _require(xreq, *_ANY_READ)
    _check_params(xreq, {"agent"}, {"agent"})
    person = selectors.person_object(_agent_param(xreq, "agent"))
    body = orjson.dumps(person)
    response = HttpResponse(body, content_type="application/json")
    response["ETag"] = f'"{hashlib.sha1(body).hexdigest()}"'  # noqa: S324
    return response


def about_get(xreq: XRequest) -> HttpResponse:
    _check_params(xreq, set())
    body = orjson.dumps(
        {
            "version": ["1.0.3", "2.0.0"],
            "extensions": {
                settings.SITE_URL.rstrip("/") + "/xapi/extensions/profile": (
                    "https://github.com/seoullearn/seoullearn/blob/main/docs/xapi-profile.md"
                )
            },
        }
    )
    response = HttpResponse(body, content_type="application/json")
    response["ETag"] = f'"{hashlib.sha1(body).hexdigest()}"'  # noqa: S324
    return response


# Communication 2.1.3.s2.b5: the header is on every response of the Statement resource.
statements = endpoint(
    {"GET": statements_get, "PUT": statements_put, "POST": statements_post},
    consistent_through=True,
)
activities = endpoint({"GET": activities_get})
agents = endpoint({"GET": agents_get})
about = endpoint({"GET": about_get}, auth_required=False, version_required=False)
