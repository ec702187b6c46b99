"""Eligibility rules, a pure module (no Django): categories, income, age, residency, evidence.

A programme's policy is data (operators edit it; it is stored as a JSON document per programme)
and this module is the only place that interprets it:

- ``Policy.from_dict`` validates a policy document and reports every problem at once;
- ``evaluate`` applies a policy to what an applicant declared and returns a ``Decision`` with
  one ``Reason`` per rule (code plus a Korean and an English message);
- ``Policy.membership_dates`` turns the term rules into concrete dates.

Nothing here touches the database, the clock or the network, so it is unit- and
property-tested on its own and can be reused by other front ends.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Category(StrEnum):
    """The six groups the programme serves (사업대상)."""

    BASIC_LIVELIHOOD = "basic_livelihood"  # 국민기초생활보장 수급권자
    NEAR_POOR = "near_poor"  # 차상위계층 (기준 중위소득 50% 이하)
    SINGLE_PARENT = "single_parent"  # 법정 한부모가족
    OUT_OF_SCHOOL = "out_of_school"  # 학교 밖 청소년
    MULTICULTURAL = "multicultural"  # 다문화가족 자녀
    DEFECTOR = "defector"  # 북한이탈주민 (자녀)


CATEGORY_LABELS: dict[str, tuple[str, str]] = {
    Category.BASIC_LIVELIHOOD: ("국민기초생활보장 수급권자", "Basic livelihood recipient"),
    Category.NEAR_POOR: ("차상위계층", "Near-poor household"),
    Category.SINGLE_PARENT: ("법정 한부모가족", "Legal single-parent family"),
    Category.OUT_OF_SCHOOL: ("학교 밖 청소년", "Out-of-school youth"),
    Category.MULTICULTURAL: ("다문화가족 자녀", "Multicultural family"),
    Category.DEFECTOR: ("북한이탈주민 청소년", "North Korean defector youth"),
}

# Documents an applicant may upload. Policies name the ones each category requires.
EVIDENCE_KINDS: dict[str, tuple[str, str]] = {
    "basic_livelihood_certificate": ("수급자 증명서", "Basic livelihood recipient certificate"),
    "near_poor_certificate": ("차상위계층 확인서", "Near-poor household certificate"),
    "single_parent_certificate": ("한부모가족 증명서", "Single-parent family certificate"),
    "out_of_school_confirmation": (
        "학교 밖 청소년 확인서(학업중단 확인서)",
        "Out-of-school youth confirmation (school leaving certificate)",
    ),
    "family_relation_certificate": ("가족관계증명서", "Family relation certificate"),
    "multicultural_family_proof": (
        "다문화가족 확인 서류(외국인등록사실증명 등)",
        "Proof of multicultural family (alien registration record, etc.)",
    ),
    "defector_certificate": ("북한이탈주민 등록확인서", "North Korean defector registration"),
    "income_proof": ("소득 증빙 서류", "Proof of household income"),
    "residence_proof": ("거주지 확인 서류", "Proof of residence"),
    "other": ("기타 서류", "Other document"),
}

TERM_KINDS = ("programme_end", "months")

# 2026 기준 중위소득 (보건복지부 고시, monthly KRW by household size). Operators update the
# table each year on the policy page.
MEDIAN_INCOME_2026: dict[int, int] = {
    1: 2_564_238,
    2: 4_199_292,
    3: 5_359_036,
    4: 6_494_738,
    5: 7_556_719,
    6: 8_555_952,
}

MAX_HOUSEHOLD_SIZE = 20
MAX_MONTHLY_INCOME_KRW = 1_000_000_000


class Outcome(StrEnum):
    ELIGIBLE = "eligible"
    INELIGIBLE = "ineligible"
    REVIEW = "review"  # the rules cannot decide on the declared data; a person must look


@dataclass(frozen=True)
class Reason:
    """One rule's verdict. ``passed`` is True (met), False (failed) or None (undecidable)."""

    code: str
    passed: bool | None
    message_ko: str
    message_en: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def message(self, language: str | None = "ko") -> str:
        return self.message_en if (language or "ko").startswith("en") else self.message_ko

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "passed": self.passed,
            "message_ko": self.message_ko,
            "message_en": self.message_en,
            "params": dict(self.params),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Reason:
        return cls(
            code=str(data["code"]),
            passed=data.get("passed"),
            message_ko=str(data.get("message_ko", "")),
            message_en=str(data.get("message_en", "")),
            params=dict(data.get("params") or {}),
        )


@dataclass(frozen=True)
class Decision:
    outcome: Outcome
    reasons: tuple[Reason, ...]

    @property
    def eligible(self) -> bool:
        return self.outcome == Outcome.ELIGIBLE

    @property
    def failures(self) -> tuple[Reason, ...]:
        return tuple(r for r in self.reasons if r.passed is False)

    @property
    def open_questions(self) -> tuple[Reason, ...]:
        return tuple(r for r in self.reasons if r.passed is None)

    def reason(self, code: str) -> Reason | None:
        return next((r for r in self.reasons if r.code == code), None)


# --- policy --------------------------------------------------------------------------------


@dataclass(frozen=True)
class PolicyProblem:
    field: str
    message_ko: str
    message_en: str


class PolicyError(ValueError):
    """A policy document is invalid; ``problems`` lists every problem found."""

    def __init__(self, problems: list[PolicyProblem]) -> None:
        super().__init__("; ".join(f"{p.field}: {p.message_en}" for p in problems))
        self.problems = problems


@dataclass(frozen=True)
class CategoryRule:
    code: str
    enabled: bool = True
    income_check: bool = False
    income_max_pct: int | None = None  # percent of the median income for the household size
    evidence: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "enabled": self.enabled,
            "income_check": self.income_check,
            "income_max_pct": self.income_max_pct,
            "evidence": list(self.evidence),
        }


@dataclass(frozen=True)
class Policy:
    categories: tuple[CategoryRule, ...]
    district_codes: frozenset[str]
    age_min: int = 6
    age_max: int = 24
    median_income: Mapping[int, int] = field(default_factory=lambda: dict(MEDIAN_INCOME_2026))
    term_kind: str = "months"  # "programme_end" or "months"
    term_months: int | None = 12
    reverify_months: int | None = 6  # None: no re-verification within the term
    reminder_days: int = 30
    grace_days: int = 30

    # -- reading -------------------------------------------------------------------------

    def category(self, code: str) -> CategoryRule | None:
        return next((c for c in self.categories if c.code == code), None)

    @property
    def open_categories(self) -> tuple[CategoryRule, ...]:
        return tuple(c for c in self.categories if c.enabled)

    def income_limit(self, category: str, household_size: int) -> int | None:
        """Monthly income limit in KRW for a household, or None when income does not matter."""
        rule = self.category(category)
        if rule is None or not rule.income_check or rule.income_max_pct is None:
            return None
        return median_for(self.median_income, household_size) * rule.income_max_pct // 100

    def membership_dates(
        self, starts_on: dt.date, programme_ends_on: dt.date
    ) -> tuple[dt.date, dt.date | None]:
        """(ends_on, reverify_due_on) of a membership starting on ``starts_on``.

        Re-verification falls inside the term only; when the next due date is on or after the
        end, the membership simply runs to its end.
        """
        if self.term_kind == "programme_end" or not self.term_months:
            ends_on = programme_ends_on
        else:
            ends_on = add_months(starts_on, self.term_months) - dt.timedelta(days=1)
        due: dt.date | None = None
        if self.reverify_months:
            candidate = add_months(starts_on, self.reverify_months)
            if candidate < ends_on:
                due = candidate
        return ends_on, due

    def next_reverification(self, renewed_on: dt.date, ends_on: dt.date) -> dt.date | None:
        if not self.reverify_months:
            return None
        candidate = add_months(renewed_on, self.reverify_months)
        return candidate if candidate < ends_on else None

    # -- (de)serialising -----------------------------------------------------------------

    def as_dict(self) -> dict[str, Any]:
        return {
            "categories": [c.as_dict() for c in self.categories],
            "district_codes": sorted(self.district_codes),
            "age_min": self.age_min,
            "age_max": self.age_max,
            "median_income": {str(k): v for k, v in sorted(self.median_income.items())},
            "term_kind": self.term_kind,
            "term_months": self.term_months,
            "reverify_months": self.reverify_months,
            "reminder_days": self.reminder_days,
            "grace_days": self.grace_days,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, known_districts: Iterable[str] = ()) -> Policy:
        """Validate a policy document. ``known_districts``, when given, limits residency to
        the jurisdiction's districts. Raises PolicyError listing every problem."""
        problems: list[PolicyProblem] = []

        def problem(name: str, ko: str, en: str) -> None:
            problems.append(PolicyProblem(name, ko, en))

        def integer(name: str, low: int, high: int, *, optional: bool = False) -> int | None:
            value = data.get(name)
            if value is None or value == "":
                if optional:
                    return None
                problem(name, "값을 입력해 주세요.", "A value is required.")
                return None
            if isinstance(value, bool) or not isinstance(value, int):
                problem(name, "정수를 입력해 주세요.", "Enter a whole number.")
                return None
            if not low <= value <= high:
                problem(
                    name,
                    f"{low}부터 {high} 사이의 값이어야 합니다.",
                    f"Must be between {low} and {high}.",
                )
                return None
            return value

        age_min = integer("age_min", 0, 40)
        age_max = integer("age_max", 0, 40)
        if age_min is not None and age_max is not None and age_min > age_max:
            problem(
                "age_max",
                "최대 나이는 최소 나이보다 작을 수 없습니다.",
                "The maximum age cannot be below the minimum age.",
            )

        term_kind = data.get("term_kind")
        if term_kind not in TERM_KINDS:
            problem("term_kind", "회원 기간 방식을 선택해 주세요.", "Choose how the term is set.")
        term_months = integer("term_months", 1, 60, optional=term_kind == "programme_end")
        reverify_months = integer("reverify_months", 1, 60, optional=True)
        reminder_days = integer("reminder_days", 0, 180)
        grace_days = integer("grace_days", 0, 180)

        raw_districts = data.get("district_codes")
        districts: frozenset[str] = frozenset()
        if not isinstance(raw_districts, list | tuple) or not raw_districts:
            problem(
                "district_codes",
                "신청할 수 있는 자치구를 하나 이상 선택해 주세요.",
                "Choose at least one district of residence.",
            )
        else:
            districts = frozenset(str(code) for code in raw_districts)
            known = frozenset(known_districts)
            unknown = sorted(districts - known) if known else []
            if unknown:
                problem(
                    "district_codes",
                    "관할 구역에 없는 자치구 코드입니다: " + ", ".join(unknown),
                    "Districts not in the jurisdiction: " + ", ".join(unknown),
                )

        median: dict[int, int] = {}
        raw_median = data.get("median_income")
        if not isinstance(raw_median, Mapping) or not raw_median:
            problem(
                "median_income",
                "가구원 수별 기준 중위소득을 입력해 주세요.",
                "Enter the median income by household size.",
            )
        else:
            for key, value in raw_median.items():
                try:
                    size = int(key)
                except (TypeError, ValueError):
                    size = 0
                if not 1 <= size <= MAX_HOUSEHOLD_SIZE or isinstance(value, bool):
                    problem(
                        "median_income",
                        "가구원 수는 1명 이상이어야 합니다.",
                        "Household sizes start at 1.",
                    )
                    continue
                if not isinstance(value, int) or value <= 0:
                    problem(
                        "median_income",
                        f"{size}인 가구 기준 중위소득은 0보다 큰 정수(원)여야 합니다.",
                        f"The median income for {size} person(s) must be a positive amount in won.",
                    )
                    continue
                median[size] = value
            if median and sorted(median) != list(range(1, max(median) + 1)):
                problem(
                    "median_income",
                    "1인 가구부터 빠짐없이 입력해 주세요.",
                    "Enter every household size from 1 upwards without gaps.",
                )
            values = [median[k] for k in sorted(median)]
            if any(b < a for a, b in itertools.pairwise(values)):
                problem(
                    "median_income",
                    "가구원 수가 많을수록 기준 중위소득이 같거나 커야 합니다.",
                    "Median income must not fall as the household grows.",
                )

        categories: list[CategoryRule] = []
        raw_categories = data.get("categories")
        if not isinstance(raw_categories, list | tuple) or not raw_categories:
            problem("categories", "대상 유형이 없습니다.", "No categories are defined.")
            raw_categories = []
        seen: set[str] = set()
        for index, raw in enumerate(raw_categories):
            prefix = f"categories.{index}"
            if not isinstance(raw, Mapping):
                problem(prefix, "형식이 잘못되었습니다.", "Malformed category.")
                continue
            code = str(raw.get("code", ""))
            if code not in CATEGORY_LABELS:
                problem(
                    f"{prefix}.code", f"알 수 없는 유형입니다: {code}", f"Unknown category: {code}"
                )
                continue
            if code in seen:
                problem(f"{prefix}.code", "유형이 중복되었습니다.", "Category listed twice.")
                continue
            seen.add(code)
            income_check = bool(raw.get("income_check", False))
            pct = raw.get("income_max_pct")
            if income_check:
                if isinstance(pct, bool) or not isinstance(pct, int) or not 1 <= pct <= 200:
                    problem(
                        f"{prefix}.income_max_pct",
                        "소득 확인이 필요한 유형은 기준 중위소득 대비 비율(1~200%)이 필요합니다.",
                        "A category with an income check needs a limit of 1-200% of median.",
                    )
                    pct = None
            else:
                pct = None
            evidence = raw.get("evidence") or []
            if not isinstance(evidence, list | tuple):
                evidence = []
            unknown_kinds = [k for k in evidence if k not in EVIDENCE_KINDS]
            if unknown_kinds:
                problem(
                    f"{prefix}.evidence",
                    "알 수 없는 증빙 종류입니다: " + ", ".join(map(str, unknown_kinds)),
                    "Unknown evidence kinds: " + ", ".join(map(str, unknown_kinds)),
                )
            enabled = bool(raw.get("enabled", True))
            if enabled and not evidence:
                problem(
                    f"{prefix}.evidence",
                    "신청을 받는 유형에는 제출 서류를 하나 이상 지정해 주세요.",
                    "An open category needs at least one required document.",
                )
            categories.append(
                CategoryRule(
                    code=code,
                    enabled=enabled,
                    income_check=income_check,
                    income_max_pct=pct,
                    evidence=tuple(dict.fromkeys(str(k) for k in evidence)),
                )
            )
        if categories and not any(c.enabled for c in categories):
            problem(
                "categories",
                "신청을 받는 유형이 하나 이상 있어야 합니다.",
                "At least one category must be open.",
            )

        if problems:
            raise PolicyError(problems)
        assert age_min is not None and age_max is not None
        assert reminder_days is not None and grace_days is not None
        return cls(
            categories=tuple(categories),
            district_codes=districts,
            age_min=age_min,
            age_max=age_max,
            median_income=median,
            term_kind=str(term_kind),
            term_months=term_months,
            reverify_months=reverify_months,
            reminder_days=reminder_days,
            grace_days=grace_days,
        )


def default_policy(district_codes: Iterable[str]) -> Policy:
    """The Seoul Learn defaults: six categories, ages 6-24, the jurisdiction's districts."""
    return Policy(
        categories=(
            CategoryRule(
                Category.BASIC_LIVELIHOOD, True, True, 50, ("basic_livelihood_certificate",)
            ),
            CategoryRule(Category.NEAR_POOR, True, True, 50, ("near_poor_certificate",)),
            CategoryRule(Category.SINGLE_PARENT, True, True, 63, ("single_parent_certificate",)),
            CategoryRule(
                Category.OUT_OF_SCHOOL, True, False, None, ("out_of_school_confirmation",)
            ),
            CategoryRule(
                Category.MULTICULTURAL,
                True,
                False,
                None,
                ("family_relation_certificate", "multicultural_family_proof"),
            ),
            CategoryRule(Category.DEFECTOR, True, False, None, ("defector_certificate",)),
        ),
        district_codes=frozenset(district_codes),
    )


# --- evaluation ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Facts:
    """What an applicant declared (and what was uploaded), as plain values."""

    birth_date: dt.date | None
    district_code: str
    category: str
    household_size: int | None = None
    monthly_income_krw: int | None = None
    evidence_kinds: frozenset[str] = frozenset()


def evaluate(policy: Policy, facts: Facts, *, on: dt.date) -> Decision:
    """Apply every rule of the policy; any failure makes the applicant ineligible, any open
    question sends the application to a person."""
    reasons = [
        _age(policy, facts, on),
        _residency(policy, facts),
        _category(policy, facts),
    ]
    rule = policy.category(facts.category)
    if rule is not None and rule.enabled:
        if rule.income_check:
            reasons.append(_income(policy, rule, facts))
        reasons.append(_evidence(rule, facts))
    if any(r.passed is False for r in reasons):
        outcome = Outcome.INELIGIBLE
    elif any(r.passed is None for r in reasons):
        outcome = Outcome.REVIEW
    else:
        outcome = Outcome.ELIGIBLE
    return Decision(outcome=outcome, reasons=tuple(reasons))


def _age(policy: Policy, facts: Facts, on: dt.date) -> Reason:
    if facts.birth_date is None:
        return Reason(
            "age_unknown", None, "생년월일이 없어 나이를 확인할 수 없습니다.", "No birth date."
        )
    if facts.birth_date > on:
        return Reason(
            "birth_date_in_future",
            False,
            "생년월일이 오늘보다 늦습니다.",
            "The birth date is in the future.",
        )
    age = age_on(facts.birth_date, on)
    params = {"age": age, "min": policy.age_min, "max": policy.age_max}
    if age < policy.age_min:
        return Reason(
            "age_below_min",
            False,
            f"만 {age}세로, 신청 가능 나이(만 {policy.age_min}~{policy.age_max}세)보다 어립니다.",
            f"Aged {age}: below the age band ({policy.age_min}-{policy.age_max}).",
            params,
        )
    if age > policy.age_max:
        return Reason(
            "age_above_max",
            False,
            f"만 {age}세로, 신청 가능 나이(만 {policy.age_min}~{policy.age_max}세)를 넘었습니다.",
            f"Aged {age}: above the age band ({policy.age_min}-{policy.age_max}).",
            params,
        )
    return Reason(
        "age_ok",
        True,
        f"만 {age}세로 신청 가능 나이입니다.",
        f"Aged {age}: within the age band.",
        params,
    )


def _residency(policy: Policy, facts: Facts) -> Reason:
    if facts.district_code in policy.district_codes:
        return Reason(
            "residency_ok",
            True,
            "신청 가능 지역에 거주합니다.",
            "Lives in an eligible district.",
            {"district": facts.district_code},
        )
    return Reason(
        "residency_outside",
        False,
        "거주지가 신청 가능 지역이 아닙니다.",
        "The district of residence is outside the programme's area.",
        {"district": facts.district_code},
    )


def _category(policy: Policy, facts: Facts) -> Reason:
    rule = policy.category(facts.category)
    label_ko, label_en = CATEGORY_LABELS.get(facts.category, (facts.category, facts.category))
    if rule is None:
        return Reason(
            "category_unknown",
            False,
            "이 사업에서 지원하지 않는 대상 유형입니다.",
            "This category is not part of the programme.",
            {"category": facts.category},
        )
    if not rule.enabled:
        return Reason(
            "category_closed",
            False,
            f"'{label_ko}' 유형은 현재 신청을 받지 않습니다.",
            f"Applications under '{label_en}' are closed.",
            {"category": facts.category},
        )
    return Reason(
        "category_ok",
        True,
        f"'{label_ko}' 유형으로 신청했습니다.",
        f"Applied as '{label_en}'.",
        {"category": facts.category},
    )


def _income(policy: Policy, rule: CategoryRule, facts: Facts) -> Reason:
    if facts.household_size is None or facts.household_size < 1:
        return Reason(
            "household_unknown",
            None,
            "가구원 수가 없어 소득 기준을 확인할 수 없습니다.",
            "No household size: the income limit cannot be checked.",
        )
    if facts.monthly_income_krw is None:
        return Reason(
            "income_unknown",
            None,
            "가구 소득을 신고하지 않아 증빙 서류로 확인해야 합니다.",
            "No income declared: the documents must be checked.",
        )
    limit = policy.income_limit(rule.code, facts.household_size)
    assert limit is not None
    params = {
        "income": facts.monthly_income_krw,
        "limit": limit,
        "pct": rule.income_max_pct,
        "household_size": facts.household_size,
    }
    if facts.monthly_income_krw <= limit:
        return Reason(
            "income_ok",
            True,
            f"월 소득 {facts.monthly_income_krw:,}원이 {facts.household_size}인 가구 기준 "
            f"(중위소득 {rule.income_max_pct}%, {limit:,}원) 이하입니다.",
            f"Monthly income KRW {facts.monthly_income_krw:,} is within the limit for "
            f"{facts.household_size} ({rule.income_max_pct}% of median, KRW {limit:,}).",
            params,
        )
    return Reason(
        "income_above_limit",
        False,
        f"월 소득 {facts.monthly_income_krw:,}원이 {facts.household_size}인 가구 기준 "
        f"(중위소득 {rule.income_max_pct}%, {limit:,}원)을 넘습니다.",
        f"Monthly income KRW {facts.monthly_income_krw:,} exceeds the limit for "
        f"{facts.household_size} ({rule.income_max_pct}% of median, KRW {limit:,}).",
        params,
    )


def _evidence(rule: CategoryRule, facts: Facts) -> Reason:
    missing = [kind for kind in rule.evidence if kind not in facts.evidence_kinds]
    if missing:
        names_ko = ", ".join(EVIDENCE_KINDS[k][0] for k in missing)
        names_en = ", ".join(EVIDENCE_KINDS[k][1] for k in missing)
        return Reason(
            "evidence_missing",
            False,
            f"제출해야 할 서류가 빠졌습니다: {names_ko}",
            f"Required documents are missing: {names_en}",
            {"missing": missing},
        )
    return Reason(
        "evidence_complete",
        True,
        "필요한 서류를 모두 제출했습니다.",
        "All required documents were submitted.",
    )


# --- small date and income helpers (kept here so the module stays free of Django) ----------


def age_on(birth_date: dt.date, on: dt.date) -> int:
    years = on.year - birth_date.year
    if (on.month, on.day) < (birth_date.month, birth_date.day):
        years -= 1
    return years


def add_months(day: dt.date, months: int) -> dt.date:
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise ValueError("unreachable")


def median_for(table: Mapping[int, int], household_size: int) -> int:
    """Median income for a household; beyond the table, each extra member adds the step
    between the two largest sizes (as the national notice does for 7+ households)."""
    if household_size in table:
        return table[household_size]
    largest = max(table)
    if household_size < 1:
        raise ValueError("household size starts at 1")
    step = table[largest] - table[largest - 1] if largest - 1 in table else 0
    return table[largest] + step * (household_size - largest)
