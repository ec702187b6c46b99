from __future__ import annotations

import threading

import pytest
from django.db import connection

from seoullearn.accounts import selectors, services
from seoullearn.accounts.models import ConsentNotice, ConsentRecord, GuardianLink, User
from seoullearn.accounts.tests.conftest import invite, link_guardian
from seoullearn.core.errors import DomainError

Kind = ConsentNotice.Kind


@pytest.mark.django_db
def test_version_one_of_every_notice_kind_exists_in_both_languages() -> None:
    notices = selectors.current_notices()
    assert [n.kind for n in notices] == list(Kind.values)
    for notice in notices:
        assert notice.version == "1" and len(notice.body_ko) > 200 and len(notice.body_en) > 200
    privacy = selectors.current_notice(Kind.PRIVACY)
    assert "주민등록번호" in privacy.body_ko and "resident registration number" in privacy.body_en
    assert "2년" in privacy.body_ko  # the access-log retention is stated


@pytest.mark.django_db
def test_newer_notice_version_becomes_current() -> None:
    import datetime as dt

    old = selectors.current_notice(Kind.TERMS)
    ConsentNotice.objects.create(
        kind=Kind.TERMS,
        version="2",
        title_ko="t",
        title_en="t",
        body_ko="b",
        body_en="b",
        effective_from=old.effective_from + dt.timedelta(days=1),
    )
    assert selectors.current_notice(Kind.TERMS).version == "2"


@pytest.mark.django_db
def test_guardian_consent_by_an_unverified_user_does_not_count(child: User, guardian: User) -> None:
    # A record with method guardian_link from someone who is not a verified guardian.
    ConsentRecord.objects.create(
        subject=child,
        given_by=guardian,
        notice=selectors.current_notice(Kind.GUARDIAN),  # type: ignore[misc]
        method="guardian_link",
        given_at=child.date_joined,
    )
    assert not selectors.guardian_consent_verified(child)


@pytest.mark.django_db
def test_children_of_and_children_status(child: User, other_child: User, guardian: User) -> None:
    link_guardian(child, guardian)
    invite(other_child, phone="010-2222-1111")
    assert list(selectors.children_of(guardian)) == [child]
    status = selectors.children_status(guardian)
    assert len(status) == 1 and status[0].may_apply and Kind.GUARDIAN in status[0].active_kinds
    assert selectors.child_of_guardian(guardian, other_child.public_id) is None


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_wrong_codes_are_all_counted(child: User, guardian: User) -> None:
    """Ten guesses at once: every one is counted and at most the limit is ever evaluated."""
    link, token, code = invite(child)
    wrong = "000000" if code != "000000" else "111111"
    outcomes: list[str] = []

    def guess() -> None:
        try:
            services.guardian_link_accept(
                token=token, guardian=guardian, code=wrong, consent_kinds=[Kind.GUARDIAN]
            )
        except DomainError as exc:
            outcomes.append(exc.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=guess) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    link.refresh_from_db()
    assert link.attempts == services.GUARDIAN_CODE_MAX_ATTEMPTS
    assert outcomes.count("wrong_code") == services.GUARDIAN_CODE_MAX_ATTEMPTS
    assert outcomes.count("too_many_attempts") == 10 - services.GUARDIAN_CODE_MAX_ATTEMPTS


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_acceptance_verifies_once(child: User, guardian: User) -> None:
    link, token, code = invite(child)
    results: list[str] = []

    def accept() -> None:
        try:
            services.guardian_link_accept(
                token=token,
                guardian=guardian,
                code=code,
                consent_kinds=services.GUARDIAN_NOTICE_KINDS,
            )
            results.append("ok")
        except DomainError as exc:
            results.append(exc.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=accept) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results.count("ok") == 1 and results.count("link_verified") == 3
    assert GuardianLink.objects.get(pk=link.pk).status == "verified"
    assert (
        ConsentRecord.objects.filter(
            subject=child, notice__kind=Kind.GUARDIAN, withdrawn_at__isnull=True
        ).count()
        == 1
    )
