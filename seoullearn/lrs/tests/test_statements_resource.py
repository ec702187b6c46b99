"""Statement resource (Communication 2.1 in 1.0.3; 4.1.6.1 in 2.0), both versions."""

from __future__ import annotations

import base64
import hashlib
import json
import uuid
from typing import Any

import pytest

from seoullearn.lrs.tests.conftest import XAPI, make_statement
from seoullearn.lrs.xapi import VOIDED_VERB, parse_timestamp

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_task_queue(settings: Any) -> None:
    settings.LRS_OUTBOX_KICK = False


@pytest.fixture(params=["1.0.3", "2.0.0"])
def api(request: Any, make_xapi: Any) -> XAPI:
    return make_xapi(version=request.param)  # type: ignore[no-any-return]


def post(api: XAPI, statements: Any, **kw: Any) -> Any:
    return api.post("statements", statements, **kw)


def get_one(api: XAPI, statement_id: str, **params: Any) -> Any:
    return api.get("statements", {"statementId": statement_id, **params})


# --- PUT ----------------------------------------------------------------------------------------


def test_put_stores_with_the_given_id_and_returns_204(api: XAPI) -> None:
    statement_id = str(uuid.uuid4())
    response = api.put("statements", make_statement(), params=f"statementId={statement_id}")
    assert response.status_code == 204
    assert response["X-Experience-API-Consistent-Through"]
    stored = get_one(api, statement_id).json()
    assert stored["id"] == statement_id


def test_put_without_statement_id_is_400(api: XAPI) -> None:
    assert api.put("statements", make_statement()).status_code == 400


def test_put_with_mismatching_id_is_400(api: XAPI) -> None:
    statement = make_statement(id=str(uuid.uuid4()))
    response = api.put("statements", statement, params=f"statementId={uuid.uuid4()}")
    assert response.status_code == 400


def test_same_id_same_content_is_204_and_different_content_is_409(api: XAPI) -> None:
    statement_id = str(uuid.uuid4())
    statement = make_statement()
    assert api.put("statements", statement, params=f"statementId={statement_id}").status_code == 204
    # Activity definition and verb display are not part of the Statement (Data 2.3.1).
    same = make_statement(verb={"id": statement["verb"]["id"], "display": {"ko-KR": "경험함"}})
    assert api.put("statements", same, params=f"statementId={statement_id}").status_code == 204
    different = make_statement(result={"completion": True})
    response = api.put("statements", different, params=f"statementId={statement_id}")
    assert response.status_code == 409
    assert "immutable" in response.json()["message"]
    stored = get_one(api, statement_id).json()
    assert "result" not in stored  # MUST NOT modify


# --- POST ---------------------------------------------------------------------------------------


def test_post_single_and_batch_return_ids_in_order(api: XAPI) -> None:
    response = post(api, make_statement())
    assert response.status_code == 200
    assert len(response.json()) == 1
    given = str(uuid.uuid4())
    response = post(api, [make_statement(), make_statement(id=given), make_statement()])
    ids = response.json()
    assert len(ids) == 3 and ids[1] == given


def test_lrs_sets_stored_authority_version_and_timestamp(api: XAPI) -> None:
    statement_id = post(api, make_statement(authority={"mbox": "mailto:fake@example.org"})).json()[
        0
    ]
    stored = get_one(api, statement_id).json()
    assert stored["authority"]["account"]["name"] == str(api.model.public_id)  # type: ignore[attr-defined]
    assert stored["version"] == ("2.0.0" if api.version.startswith("2") else "1.0.0")
    assert stored["timestamp"] == stored["stored"]
    assert stored["stored"].endswith("Z")


def test_batch_is_all_or_nothing(api: XAPI) -> None:
    good = make_statement(id=str(uuid.uuid4()))
    bad = make_statement(verb={"id": "not an iri"})
    response = post(api, [good, bad])
    assert response.status_code == 400
    assert "statements[1].verb.id" in response.json()["message"]
    assert get_one(api, good["id"]).status_code == 404


def test_duplicate_ids_in_one_batch_are_400(api: XAPI) -> None:
    statement_id = str(uuid.uuid4())
    response = post(api, [make_statement(id=statement_id), make_statement(id=statement_id)])
    assert response.status_code == 400


def test_batch_with_a_conflicting_stored_id_stores_nothing(api: XAPI) -> None:
    statement_id = post(api, make_statement()).json()[0]
    fresh = str(uuid.uuid4())
    response = post(
        api, [make_statement(id=fresh), make_statement(id=statement_id, result={"success": True})]
    )
    assert response.status_code == 409
    assert get_one(api, fresh).status_code == 404


def test_malformed_json_wrong_content_type_and_empty_batch(api: XAPI) -> None:
    assert post(api, "{not json").status_code == 400
    assert post(api, json.dumps(make_statement()), content_type="text/plain").status_code == 400
    assert post(api, []).status_code == 400
    assert post(api, "42").status_code == 400


def test_oversized_request_is_413(api: XAPI, settings: Any) -> None:
    settings.LRS_MAX_REQUEST_BYTES = 2000
    response = post(api, [make_statement() for _ in range(20)])
    assert response.status_code == 413


def test_unknown_and_miscased_parameters_are_400(api: XAPI) -> None:
    assert api.get("statements", {"Agent": '{"mbox":"mailto:a@example.org"}'}).status_code == 400
    assert api.get("statements", {"colour": "red"}).status_code == 400
    assert post(api, make_statement(), params="statementId=" + str(uuid.uuid4())).status_code == 400


# --- GET: single Statements and voiding ----------------------------------------------------------


def test_get_by_id_has_last_modified_and_consistent_through(api: XAPI) -> None:
    statement_id = post(api, make_statement()).json()[0]
    response = get_one(api, statement_id)
    assert response.status_code == 200
    assert response["Last-Modified"]
    assert parse_timestamp(response["X-Experience-API-Consistent-Through"])
    assert response["X-Experience-API-Version"] == (
        "2.0.0" if api.version.startswith("2") else "1.0.3"
    )


def test_statement_id_with_other_parameters_is_400(api: XAPI) -> None:
    statement_id = post(api, make_statement()).json()[0]
    assert get_one(api, statement_id, limit=1).status_code == 400
    assert get_one(api, statement_id, format="ids").status_code == 200
    response = api.get(
        "statements", {"statementId": statement_id, "voidedStatementId": statement_id}
    )
    assert response.status_code == 400


def test_voiding(api: XAPI) -> None:
    target = post(api, make_statement()).json()[0]
    voiding = make_statement(
        verb={"id": VOIDED_VERB, "display": {"en-US": "voided"}},
        object={"objectType": "StatementRef", "id": target},
    )
    voiding_id = post(api, voiding).json()[0]
    assert get_one(api, target).status_code == 404
    assert api.get("statements", {"voidedStatementId": target}).json()["id"] == target
    # the voiding Statement is returned, the voided one is not
    listed = [s["id"] for s in api.get("statements", {"limit": 50}).json()["statements"]]
    assert voiding_id in listed and target not in listed
    # a voiding Statement cannot be voided
    again = make_statement(
        verb={"id": VOIDED_VERB}, object={"objectType": "StatementRef", "id": voiding_id}
    )
    assert post(api, again).status_code == 200
    assert get_one(api, voiding_id).status_code == 200


def test_voiding_may_arrive_before_its_target(api: XAPI) -> None:
    target = str(uuid.uuid4())
    voiding = make_statement(
        verb={"id": VOIDED_VERB}, object={"objectType": "StatementRef", "id": target}
    )
    assert post(api, voiding).status_code == 200
    assert post(api, make_statement(id=target)).status_code == 200
    assert get_one(api, target).status_code == 404
    assert api.get("statements", {"voidedStatementId": target}).status_code == 200


def test_voiding_another_clients_statement_is_403(make_xapi: Any) -> None:
    author = make_xapi(scopes=("statements/write", "statements/read/mine"))
    other = make_xapi(scopes=("statements/write", "statements/read/mine"))
    target = post(author, make_statement()).json()[0]
    voiding = make_statement(
        verb={"id": VOIDED_VERB}, object={"objectType": "StatementRef", "id": target}
    )
    assert post(other, voiding).status_code == 403


# --- GET: queries ---------------------------------------------------------------------------------


def _seed(api: XAPI) -> dict[str, Any]:
    registration = str(uuid.uuid4())
    ids = {
        "plain": post(api, make_statement()).json()[0],
        "other_agent": post(api, make_statement(actor={"mbox": "mailto:other@example.org"})).json()[
            0
        ],
        "registration": post(
            api,
            make_statement(
                verb={"id": "http://adlnet.gov/expapi/verbs/completed"},
                context={
                    "registration": registration,
                    "contextActivities": {"parent": [{"id": "http://example.org/course"}]},
                    "instructor": {"mbox": "mailto:teacher@example.org"},
                },
            ),
        ).json()[0],
        "group": post(
            api,
            make_statement(
                actor={
                    "objectType": "Group",
                    "name": "team",
                    "member": [{"mbox": "mailto:member@example.org"}],
                }
            ),
        ).json()[0],
    }
    ids["ref"] = post(
        api,
        make_statement(
            actor={"mbox": "mailto:reviewer@example.org"},
            verb={"id": "http://example.org/verbs/commented"},
            object={"objectType": "StatementRef", "id": ids["registration"]},
        ),
    ).json()[0]
    ids["registration_value"] = registration
    return ids


def _ids(response: Any) -> list[str]:
    assert response.status_code == 200, response.content
    return [s["id"] for s in response.json()["statements"]]


def test_query_filters(api: XAPI) -> None:
    ids = _seed(api)
    learner = json.dumps({"mbox": "mailto:learner@example.org"})
    by_agent = _ids(api.get("statements", {"agent": learner}))
    assert ids["plain"] in by_agent and ids["other_agent"] not in by_agent
    # a Group whose members match the Agent matches
    assert ids["group"] in _ids(
        api.get("statements", {"agent": json.dumps({"mbox": "mailto:member@example.org"})})
    )
    # StatementRef rule: the comment targets a matching Statement
    assert ids["ref"] in by_agent
    by_verb = _ids(api.get("statements", {"verb": "http://adlnet.gov/expapi/verbs/completed"}))
    assert ids["registration"] in by_verb and ids["ref"] in by_verb and ids["plain"] not in by_verb
    by_registration = _ids(api.get("statements", {"registration": ids["registration_value"]}))
    assert set(by_registration) == {ids["registration"], ids["ref"]}
    course = "http://example.org/course"
    assert ids["registration"] not in _ids(api.get("statements", {"activity": course}))
    assert ids["registration"] in _ids(
        api.get("statements", {"activity": course, "related_activities": "true"})
    )
    teacher = json.dumps({"mbox": "mailto:teacher@example.org"})
    assert _ids(api.get("statements", {"agent": teacher})) == []
    assert ids["registration"] in _ids(
        api.get("statements", {"agent": teacher, "related_agents": "true"})
    )


def test_since_until_ascending_limit_and_more(api: XAPI) -> None:
    first = post(api, make_statement()).json()[0]
    stored_first = get_one(api, first).json()["stored"]
    later = [post(api, make_statement()).json()[0] for _ in range(4)]
    assert first not in _ids(api.get("statements", {"since": stored_first}))
    assert first in _ids(api.get("statements", {"until": stored_first}))
    ascending = _ids(api.get("statements", {"ascending": "true", "limit": 0}))
    assert ascending.index(first) < ascending.index(later[-1])
    page = api.get("statements", {"limit": 2})
    body = page.json()
    assert len(body["statements"]) == 2 and body["more"].startswith("/xapi/statements?more=")
    seen = [s["id"] for s in body["statements"]]
    while body["more"]:
        body = api.client.get(body["more"], headers=api.headers()).json()
        seen.extend(s["id"] for s in body["statements"])
    assert len(seen) == len(set(seen)) == 5
    assert seen == list(reversed([first, *later]))


def test_empty_result_is_200_with_empty_array(api: XAPI) -> None:
    response = api.get("statements", {"verb": "http://example.org/never"})
    assert response.status_code == 200
    assert response.json() == {"statements": [], "more": ""}


def test_formats_ids_and_canonical(api: XAPI) -> None:
    statement_id = post(
        api,
        make_statement(actor={"mbox": "mailto:learner@example.org", "name": "Learner Name"}),
    ).json()[0]
    ids_format = get_one(api, statement_id, format="ids").json()
    assert "name" not in ids_format["actor"]
    assert ids_format["verb"] == {"id": "http://adlnet.gov/expapi/verbs/experienced"}
    assert "definition" not in ids_format["object"]
    canonical = api.get(
        "statements",
        {"statementId": statement_id, "format": "canonical"},
        headers={"Accept-Language": "ko-KR"},
    ).json()
    assert canonical["object"]["definition"]["name"] == {"ko-KR": "1강"}
    exact = get_one(api, statement_id).json()
    assert exact["object"]["definition"]["name"] == {"en-US": "Lesson 1", "ko-KR": "1강"}


def test_head_returns_headers_without_body(api: XAPI) -> None:
    statement_id = post(api, make_statement()).json()[0]
    response = api.head("statements", {"statementId": statement_id})
    assert response.status_code == 200 and response.content == b""
    assert response["X-Experience-API-Consistent-Through"]


# --- attachments and signatures -----------------------------------------------------------------


def multipart(
    statements: Any, parts: list[tuple[bytes, str]], *, hash_header: bool = True
) -> tuple[bytes, str]:
    boundary = "abcABC0123'()+_,-./:=?"
    chunks = [
        f"--{boundary}\r\nContent-Type: application/json\r\n\r\n".encode(),
        json.dumps(statements).encode(),
        b"\r\n",
    ]
    for data, content_type in parts:
        headers = (
            f"--{boundary}\r\nContent-Type: {content_type}\r\nContent-Transfer-Encoding: binary\r\n"
        )
        if hash_header:
            headers += f"X-Experience-API-Hash: {hashlib.sha256(data).hexdigest()}\r\n"
        chunks += [(headers + "\r\n").encode(), data, b"\r\n"]
    chunks.append(f"--{boundary}--".encode())
    return b"".join(chunks), f'multipart/mixed; boundary="{boundary}"'


def attachment_for(data: bytes, **extra: Any) -> dict[str, Any]:
    return {
        "usageType": "http://example.org/attachment-usage/test",
        "display": {"en-US": "A test attachment"},
        "contentType": "text/plain; charset=ascii",
        "length": len(data),
        "sha2": hashlib.sha256(data).hexdigest(),
        **extra,
    }


def test_attachments_round_trip_in_multipart(api: XAPI) -> None:
    data = b"here is a simple attachment"
    statement = make_statement(attachments=[attachment_for(data)])
    body, content_type = multipart(statement, [(data, "text/plain")])
    response = api.post("statements", body, content_type=content_type)
    assert response.status_code == 200, response.content
    statement_id = response.json()[0]
    plain = get_one(api, statement_id)
    assert plain["Content-Type"] == "application/json"
    with_data = api.get("statements", {"statementId": statement_id, "attachments": "true"})
    assert with_data["Content-Type"].startswith("multipart/mixed")
    assert data in with_data.content
    assert hashlib.sha256(data).hexdigest().encode() in with_data.content


def test_attachment_without_data_or_file_url_is_400(api: XAPI) -> None:
    data = b"payload"
    assert post(api, make_statement(attachments=[attachment_for(data)])).status_code == 400
    with_url = make_statement(
        attachments=[attachment_for(data, fileUrl="http://example.org/file.txt")]
    )
    assert post(api, with_url).status_code == 200


def test_multipart_parts_need_hash_and_matching_data(api: XAPI) -> None:
    data = b"payload"
    statement = make_statement(attachments=[attachment_for(data)])
    body, content_type = multipart(statement, [(data, "text/plain")], hash_header=False)
    assert api.post("statements", body, content_type=content_type).status_code == 400
    body, content_type = multipart(statement, [(b"other data", "text/plain")])
    assert api.post("statements", body, content_type=content_type).status_code == 400


def _jws(statement: dict[str, Any], key: Any, certificate_der: bytes | None) -> bytes:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding

    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    header: dict[str, Any] = {"alg": "RS256"}
    if certificate_der is not None:
        header["x5c"] = [base64.b64encode(certificate_der).decode()]
    signing_input = f"{b64(json.dumps(header).encode())}.{b64(json.dumps(statement).encode())}"
    signature = key.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
    return f"{signing_input}.{b64(signature)}".encode()


def _certificate() -> tuple[Any, bytes]:
    import datetime as dt

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "signer")])
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(dt.datetime(2020, 1, 1))
        .not_valid_after(dt.datetime(2040, 1, 1))
        .sign(key, hashes.SHA256())
    )
    return key, certificate.public_bytes(serialization.Encoding.DER)


def _signed_request(statement: dict[str, Any], jws: bytes) -> tuple[bytes, str]:
    attachment = {
        "usageType": "http://adlnet.gov/expapi/attachments/signature",
        "display": {"en-US": "Signature"},
        "contentType": "application/octet-stream",
        "length": len(jws),
        "sha2": hashlib.sha256(jws).hexdigest(),
    }
    signed = dict(statement, attachments=[attachment])
    return multipart(signed, [(jws, "application/octet-stream")])


def test_signed_statement_is_verified(api: XAPI) -> None:
    key, certificate = _certificate()
    statement = make_statement(id=str(uuid.uuid4()))
    body, content_type = _signed_request(statement, _jws(statement, key, certificate))
    assert api.post("statements", body, content_type=content_type).status_code == 200
    # signed content differs from the Statement sent
    other = make_statement(id=str(uuid.uuid4()))
    tampered = dict(other, result={"success": True})
    body, content_type = _signed_request(tampered, _jws(other, key, certificate))
    assert api.post("statements", body, content_type=content_type).status_code == 400
    # signature does not verify against the certificate in x5c
    other_key, _ = _certificate()
    third = make_statement(id=str(uuid.uuid4()))
    body, content_type = _signed_request(third, _jws(third, other_key, certificate))
    assert api.post("statements", body, content_type=content_type).status_code == 400
    # not a JWS at all
    body, content_type = _signed_request(make_statement(), b"not-a-jws")
    assert api.post("statements", body, content_type=content_type).status_code == 400


# --- versions, alternate syntax, authentication -----------------------------------------


def test_version_header_is_required_and_negotiated(make_xapi: Any) -> None:
    api = make_xapi()
    assert api.post("statements", make_statement(), version="").status_code == 400
    assert api.post("statements", make_statement(), version="0.95").status_code == 400
    assert api.post("statements", make_statement(), version="3.0.0").status_code == 400
    response = api.post("statements", make_statement(), version="1.0")
    assert response.status_code == 200 and response["X-Experience-API-Version"] == "1.0.3"
    response = api.post("statements", make_statement(), version="2.0")
    assert response["X-Experience-API-Version"] == "2.0.0"


def test_alternate_request_syntax_in_1_0_only(make_xapi: Any) -> None:
    api = make_xapi(version="1.0.3")
    statement_id = str(uuid.uuid4())
    form = {
        "statementId": statement_id,
        "content": json.dumps(make_statement()),
        "Authorization": api.auth,
        "X-Experience-API-Version": "1.0.3",
        "Content-Type": "application/json",
    }
    from urllib.parse import urlencode

    response = api.client.post(
        "/xapi/statements?method=PUT",
        data=urlencode(form),
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 204, response.content
    get_form = {
        "statementId": statement_id,
        "Authorization": api.auth,
        "X-Experience-API-Version": "1.0.3",
    }
    response = api.client.post(
        "/xapi/statements?method=GET",
        data=urlencode(get_form),
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200 and response.json()["id"] == statement_id
    # extra query parameters are not allowed with the alternate syntax
    response = api.client.post(
        f"/xapi/statements?method=PUT&statementId={statement_id}",
        data=urlencode(form),
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 400
    form["X-Experience-API-Version"] = "2.0.0"
    response = api.client.post(
        "/xapi/statements?method=PUT",
        data=urlencode(form),
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 400


def test_authentication_is_required(api: XAPI) -> None:
    response = api.client.get("/xapi/statements", headers={"X-Experience-API-Version": api.version})
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Basic")
    wrong = api.client.get(
        "/xapi/statements",
        headers={
            "X-Experience-API-Version": api.version,
            "Authorization": "Basic " + base64.b64encode(b"a:b").decode(),
        },
    )
    assert wrong.status_code == 401


def test_context_agents_round_trip_in_2_0_and_are_refused_in_1_0(make_xapi: Any) -> None:
    context = {
        "contextAgents": [
            {
                "objectType": "contextAgent",
                "agent": {"mbox": "mailto:mentor@example.org"},
                "relevantTypes": ["https://example.org/mentor"],
            }
        ]
    }
    v2 = make_xapi(version="2.0.0")
    statement_id = post(v2, make_statement(context=context)).json()[0]
    assert (
        get_one(v2, statement_id).json()["context"]["contextAgents"][0]["agent"]["mbox"]
        == "mailto:mentor@example.org"
    )
    mentor = json.dumps({"mbox": "mailto:mentor@example.org"})
    assert statement_id in _ids(v2.get("statements", {"agent": mentor, "related_agents": "true"}))
    v1 = make_xapi(version="1.0.3")
    assert post(v1, make_statement(context=context)).status_code == 400


def test_consistent_through_is_on_every_statement_response(api: XAPI) -> None:
    for response in (
        post(api, make_statement()),
        post(api, "{broken"),
        api.get("statements", {"statementId": str(uuid.uuid4())}),
        api.get("statements", {"bogus": "1"}),
    ):
        assert parse_timestamp(response["X-Experience-API-Consistent-Through"])


def test_attachments_true_always_answers_multipart(api: XAPI) -> None:
    post(api, make_statement())
    response = api.get("statements", {"attachments": "true", "limit": 1})
    assert response["Content-Type"].startswith("multipart/mixed")
    assert b'"statements"' in response.content
