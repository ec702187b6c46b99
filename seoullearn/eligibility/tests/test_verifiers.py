"""Verifiers behind one interface: rules, the sandbox registry, configuration, failures."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
from django.test import override_settings

from seoullearn.core.geo import SEOUL_DISTRICT_CODES
from seoullearn.eligibility import rules, verifiers
from seoullearn.eligibility.checks import sandbox_registry_in_production
from seoullearn.eligibility.models import SandboxWelfareRecord

ON = dt.date(2026, 6, 1)
BORN = dt.date(2010, 4, 5)


def request(**kwargs: Any) -> verifiers.VerificationRequest:
    values: dict[str, Any] = {
        "application_id": uuid.uuid4(),
        "full_name": "김서울",
        "birth_date": BORN,
        "district_code": "11350",
        "category": "near_poor",
        "household_size": 3,
        "monthly_income_krw": 1_500_000,
        "evidence_kinds": frozenset({"near_poor_certificate"}),
        "policy": rules.default_policy(SEOUL_DISTRICT_CODES),
        "on": ON,
    }
    values.update(kwargs)
    return verifiers.VerificationRequest(**values)


def record(
    categories: list[str], *, until: dt.date | None = None, **kwargs: Any
) -> SandboxWelfareRecord:
    return SandboxWelfareRecord.objects.create(
        person_index=verifiers.person_key(
            kwargs.get("name", "김서울"), kwargs.get("born", BORN), kwargs.get("district", "11350")
        ),
        categories=categories,
        valid_from=dt.date(2020, 1, 1),
        valid_until=until,
    )


def test_both_verifiers_implement_the_interface() -> None:
    assert isinstance(verifiers.RuleVerifier(), verifiers.Verifier)
    assert isinstance(verifiers.SandboxWelfareRegistry(), verifiers.Verifier)


def test_rule_verifier_maps_outcomes() -> None:
    v = verifiers.RuleVerifier()
    assert v.verify(request()).outcome == verifiers.VERIFIED
    assert v.verify(request(district_code="26110")).outcome == verifiers.NOT_VERIFIED
    assert v.verify(request(monthly_income_krw=None)).outcome == verifiers.INCONCLUSIVE


@pytest.mark.django_db
def test_sandbox_registry_answers() -> None:
    v = verifiers.SandboxWelfareRegistry()
    assert v.verify(request()).reasons[0].code == "registry_no_record"
    record(["near_poor"])
    result = v.verify(request())
    assert (result.outcome, result.reasons[0].code) == (
        verifiers.VERIFIED,
        "registry_confirms_category",
    )
    # the key is name + birth date + district, normalised (spaces, width)
    assert v.verify(request(full_name=" 김 서울 ")).outcome == verifiers.VERIFIED
    assert v.verify(request(district_code="11680")).reasons[0].code == "registry_no_record"
    assert v.verify(request(category="defector")).reasons[0].code == "registry_category_mismatch"
    assert v.verify(request(full_name="")).reasons[0].code == "registry_key_incomplete"


@pytest.mark.django_db
def test_sandbox_registry_status_that_ended() -> None:
    record(["single_parent"], until=dt.date(2025, 12, 31))
    result = verifiers.SandboxWelfareRegistry().verify(request(category="single_parent"))
    assert (result.outcome, result.reasons[0].code) == (
        verifiers.NOT_VERIFIED,
        "registry_status_ended",
    )


@pytest.mark.django_db
def test_registry_never_keyed_by_rrn() -> None:
    field_names = {f.name for f in SandboxWelfareRecord._meta.get_fields()}
    assert not any("rrn" in name or "resident" in name for name in field_names)
    key = verifiers.person_key("김서울", BORN, "11350")
    assert len(key) == 64 and "김서울" not in key


def test_combine() -> None:
    ok = verifiers.VerificationResult("a", verifiers.VERIFIED, ())
    maybe = verifiers.VerificationResult("b", verifiers.INCONCLUSIVE, ())
    no = verifiers.VerificationResult("c", verifiers.NOT_VERIFIED, ())
    down = verifiers.VerificationResult("d", verifiers.UNAVAILABLE, ())
    assert verifiers.combine([ok, ok]) == "auto_verified"
    assert verifiers.combine([ok, maybe]) == "needs_review"
    assert verifiers.combine([ok, down]) == "needs_review"
    assert verifiers.combine([ok, no, maybe]) == "failed"
    assert verifiers.combine([]) == "needs_review"


def test_a_crashing_adapter_becomes_unavailable() -> None:
    class Broken:
        name = "broken_registry"

        def verify(self, request: verifiers.VerificationRequest) -> verifiers.VerificationResult:
            raise ConnectionError("registry down")

    result = verifiers.safe_verify(Broken(), request())
    assert (result.verifier, result.outcome) == ("broken_registry", verifiers.UNAVAILABLE)
    assert result.reasons[0].code == "verifier_unavailable"


class AlwaysYes:
    """A stand-in for a deployer's adapter, loaded from settings."""

    name = "always_yes"

    def verify(self, request: verifiers.VerificationRequest) -> verifiers.VerificationResult:
        return verifiers.VerificationResult(self.name, verifiers.VERIFIED, ())


class NotAVerifier:
    pass


def test_verifiers_come_from_settings() -> None:
    with override_settings(ELIGIBILITY_VERIFIERS=[f"{__name__}.AlwaysYes"]):
        assert [v.name for v in verifiers.configured_verifiers()] == ["always_yes"]
    with (
        override_settings(ELIGIBILITY_VERIFIERS=[f"{__name__}.NotAVerifier"]),
        pytest.raises(TypeError),
    ):
        verifiers.configured_verifiers()
    assert [v.name for v in verifiers.configured_verifiers()] == [
        "rules",
        "sandbox_welfare_registry",
    ]
    with override_settings(PRODUCTION=True):
        assert [v.name for v in verifiers.configured_verifiers()] == ["rules"]


def test_deploy_check_warns_about_the_sandbox_in_production() -> None:
    assert sandbox_registry_in_production() == []
    with override_settings(
        PRODUCTION=True, ELIGIBILITY_VERIFIERS=[verifiers.RULES_PATH, verifiers.SANDBOX_PATH]
    ):
        warnings = sandbox_registry_in_production()
    assert [w.id for w in warnings] == ["eligibility.W001"]
    with override_settings(PRODUCTION=True, ELIGIBILITY_VERIFIERS=[verifiers.RULES_PATH]):
        assert sandbox_registry_in_production() == []
