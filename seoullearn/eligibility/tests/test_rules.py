"""The pure eligibility rules: examples first, then properties (hypothesis)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from seoullearn.core.geo import SEOUL_DISTRICT_CODES
from seoullearn.eligibility import rules
from seoullearn.eligibility.rules import Category, Facts, Outcome, Policy, PolicyError

ON = dt.date(2026, 6, 15)
POLICY = rules.default_policy(SEOUL_DISTRICT_CODES)


def facts(**kwargs: object) -> Facts:
    values: dict[str, object] = {
        "birth_date": dt.date(2011, 3, 1),
        "district_code": "11350",
        "category": Category.NEAR_POOR,
        "household_size": 3,
        "monthly_income_krw": 2_000_000,
        "evidence_kinds": frozenset({"near_poor_certificate"}),
    }
    values.update(kwargs)
    return Facts(**values)  # type: ignore[arg-type]


def test_module_imports_no_django() -> None:
    import ast
    from pathlib import Path

    tree = ast.parse(Path(rules.__file__).read_text())
    imported = {
        (node.module or "") if isinstance(node, ast.ImportFrom) else alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    }
    assert not any(name.startswith("django") for name in imported)


def test_eligible_near_poor_applicant() -> None:
    decision = rules.evaluate(POLICY, facts(), on=ON)
    assert decision.outcome == Outcome.ELIGIBLE
    assert [r.code for r in decision.reasons] == [
        "age_ok",
        "residency_ok",
        "category_ok",
        "income_ok",
        "evidence_complete",
    ]
    assert all(r.message_ko and r.message_en for r in decision.reasons)


@pytest.mark.parametrize(
    ("birth", "code"),
    [
        (dt.date(2020, 6, 16), "age_below_min"),  # turns 6 tomorrow
        (dt.date(2020, 6, 15), "age_ok"),  # 6 today
        (dt.date(2001, 6, 16), "age_ok"),  # still 24
        (dt.date(2001, 6, 15), "age_above_max"),  # 25 today
        (dt.date(2027, 1, 1), "birth_date_in_future"),
    ],
)
def test_age_band_is_inclusive(birth: dt.date, code: str) -> None:
    decision = rules.evaluate(POLICY, facts(birth_date=birth), on=ON)
    assert decision.reasons[0].code == code


def test_missing_birth_date_sends_to_review() -> None:
    decision = rules.evaluate(POLICY, facts(birth_date=None), on=ON)
    assert decision.outcome == Outcome.REVIEW
    assert decision.reason("age_unknown") is not None


def test_outside_seoul_is_ineligible() -> None:
    decision = rules.evaluate(POLICY, facts(district_code="41135"), on=ON)
    assert decision.outcome == Outcome.INELIGIBLE
    assert decision.failures[0].code == "residency_outside"


def test_income_limit_is_inclusive_and_depends_on_household_size() -> None:
    limit = POLICY.income_limit(Category.NEAR_POOR, 3)
    assert limit == rules.MEDIAN_INCOME_2026[3] * 50 // 100
    at_limit = rules.evaluate(POLICY, facts(monthly_income_krw=limit), on=ON)
    over = rules.evaluate(POLICY, facts(monthly_income_krw=limit + 1), on=ON)
    assert at_limit.eligible
    assert over.reason("income_above_limit") is not None
    assert not over.eligible
    assert "2,679,518" in over.reason("income_above_limit").message_ko  # type: ignore[union-attr]


def test_single_parent_limit_is_63_percent() -> None:
    assert POLICY.income_limit(Category.SINGLE_PARENT, 2) == rules.MEDIAN_INCOME_2026[2] * 63 // 100


def test_categories_without_income_check_ignore_income() -> None:
    decision = rules.evaluate(
        POLICY,
        facts(
            category=Category.OUT_OF_SCHOOL,
            monthly_income_krw=50_000_000,
            household_size=None,
            evidence_kinds=frozenset({"out_of_school_confirmation"}),
        ),
        on=ON,
    )
    assert decision.eligible
    assert decision.reason("income_ok") is None
    assert POLICY.income_limit(Category.OUT_OF_SCHOOL, 3) is None


def test_undeclared_income_needs_a_person() -> None:
    decision = rules.evaluate(POLICY, facts(monthly_income_krw=None), on=ON)
    assert decision.outcome == Outcome.REVIEW
    assert decision.open_questions[0].code == "income_unknown"


def test_missing_evidence_is_listed() -> None:
    decision = rules.evaluate(
        POLICY,
        facts(
            category=Category.MULTICULTURAL,
            evidence_kinds=frozenset({"family_relation_certificate"}),
        ),
        on=ON,
    )
    reason = decision.reason("evidence_missing")
    assert reason is not None
    assert reason.params["missing"] == ["multicultural_family_proof"]
    assert "다문화가족 확인 서류" in reason.message_ko


def test_closed_and_unknown_categories() -> None:
    data = POLICY.as_dict()
    data["categories"][5]["enabled"] = False
    closed = Policy.from_dict(data)
    assert rules.evaluate(closed, facts(category=Category.DEFECTOR), on=ON).reason(
        "category_closed"
    )
    assert rules.evaluate(POLICY, facts(category="martian"), on=ON).reason("category_unknown")


def test_median_beyond_table_extrapolates_by_last_step() -> None:
    step = rules.MEDIAN_INCOME_2026[6] - rules.MEDIAN_INCOME_2026[5]
    assert rules.median_for(rules.MEDIAN_INCOME_2026, 8) == rules.MEDIAN_INCOME_2026[6] + 2 * step


def test_membership_dates_months_and_programme_end() -> None:
    ends, due = POLICY.membership_dates(dt.date(2026, 3, 10), dt.date(2026, 12, 31))
    assert ends == dt.date(2027, 3, 9)
    assert due == dt.date(2026, 9, 10)
    data = POLICY.as_dict() | {
        "term_kind": "programme_end",
        "term_months": None,
        "reverify_months": 12,
    }
    to_end = Policy.from_dict(data)
    ends, due = to_end.membership_dates(dt.date(2026, 3, 10), dt.date(2026, 12, 31))
    assert ends == dt.date(2026, 12, 31)
    assert due is None  # the next re-verification would fall after the end


def test_policy_round_trip() -> None:
    assert Policy.from_dict(POLICY.as_dict(), known_districts=SEOUL_DISTRICT_CODES) == POLICY


def test_policy_validation_reports_every_problem() -> None:
    data = POLICY.as_dict()
    data.update(
        age_min=20, age_max=10, district_codes=["99999"], grace_days=-1, term_kind="forever"
    )
    data["median_income"] = {"1": 100, "3": 50}
    data["categories"][0]["income_max_pct"] = None
    data["categories"][1]["evidence"] = ["selfie"]
    with pytest.raises(PolicyError) as excinfo:
        Policy.from_dict(data, known_districts=SEOUL_DISTRICT_CODES)
    fields = {p.field for p in excinfo.value.problems}
    assert {
        "age_max",
        "district_codes",
        "grace_days",
        "term_kind",
        "median_income",
        "categories.0.income_max_pct",
        "categories.1.evidence",
    } <= fields
    assert all(p.message_ko and p.message_en for p in excinfo.value.problems)


def test_policy_needs_an_open_category() -> None:
    data = POLICY.as_dict()
    for c in data["categories"]:
        c["enabled"] = False
    with pytest.raises(PolicyError, match="At least one category"):
        Policy.from_dict(data)


def test_reason_serialises() -> None:
    reason = rules.evaluate(POLICY, facts(), on=ON).reasons[3]
    assert rules.Reason.from_dict(reason.as_dict()) == reason
    assert reason.message("en").startswith("Monthly income")
    assert reason.message("ko").startswith("월 소득")


# --- properties ----------------------------------------------------------------------------

dates = st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2030, 12, 31))
categories = st.sampled_from([*list(rules.CATEGORY_LABELS), "unknown"])
evidence = st.frozensets(st.sampled_from(list(rules.EVIDENCE_KINDS)))
districts = st.sampled_from([*sorted(SEOUL_DISTRICT_CODES), "26110", "41135"])
applicant_facts = st.builds(
    Facts,
    birth_date=st.one_of(st.none(), dates),
    district_code=districts,
    category=categories,
    household_size=st.one_of(st.none(), st.integers(1, 12)),
    monthly_income_krw=st.one_of(st.none(), st.integers(0, 20_000_000)),
    evidence_kinds=evidence,
)


@given(applicant_facts, dates)
def test_outcome_follows_from_reasons(f: Facts, on: dt.date) -> None:
    decision = rules.evaluate(POLICY, f, on=on)
    passed = [r.passed for r in decision.reasons]
    if False in passed:
        assert decision.outcome == Outcome.INELIGIBLE
    elif None in passed:
        assert decision.outcome == Outcome.REVIEW
    else:
        assert decision.outcome == Outcome.ELIGIBLE
    assert decision == rules.evaluate(POLICY, f, on=on)  # deterministic
    assert len({r.code for r in decision.reasons}) == len(decision.reasons)


@given(applicant_facts, dates)
def test_out_of_band_age_is_never_eligible(f: Facts, on: dt.date) -> None:
    decision = rules.evaluate(POLICY, f, on=on)
    if f.birth_date is not None and f.birth_date <= on:
        age = rules.age_on(f.birth_date, on)
        if not POLICY.age_min <= age <= POLICY.age_max:
            assert not decision.eligible
            assert decision.reasons[0].passed is False


@given(applicant_facts, dates)
def test_income_never_matters_for_categories_without_income_check(f: Facts, on: dt.date) -> None:
    rule = POLICY.category(f.category)
    if rule is not None and not rule.income_check:
        richer = Facts(**{**f.__dict__, "monthly_income_krw": 10**9})
        assert (
            rules.evaluate(POLICY, f, on=on).outcome
            == rules.evaluate(POLICY, richer, on=on).outcome
        )


@given(st.sampled_from([c.code for c in POLICY.categories if c.income_check]), st.integers(1, 15))
def test_income_limit_monotonic_in_household_size(category: str, size: int) -> None:
    smaller = POLICY.income_limit(category, size)
    larger = POLICY.income_limit(category, size + 1)
    assert smaller is not None and larger is not None
    assert larger >= smaller


@given(dates, st.integers(1, 36), st.one_of(st.none(), st.integers(1, 36)))
def test_membership_reverification_falls_inside_the_term(
    start: dt.date, months: int, reverify: int | None
) -> None:
    policy = Policy.from_dict(
        POLICY.as_dict() | {"term_months": months, "reverify_months": reverify}
    )
    ends, due = policy.membership_dates(start, start + dt.timedelta(days=365))
    assert ends >= start
    if due is not None:
        assert start < due < ends


@given(st.integers(0, 40), st.integers(0, 40), st.integers(0, 180))
def test_policy_from_dict_accepts_valid_or_raises_policy_error(
    age_min: int, age_max: int, grace: int
) -> None:
    data = POLICY.as_dict() | {"age_min": age_min, "age_max": age_max, "grace_days": grace}
    if age_min <= age_max:
        assert Policy.from_dict(data).age_max == age_max
    else:
        with pytest.raises(PolicyError):
            Policy.from_dict(data)
