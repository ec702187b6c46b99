"""No resident registration number gets into free text."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from seoullearn.eligibility.validators import contains_rrn, reject_rrn


@pytest.mark.parametrize(
    "text",
    [
        "900101-1234567",
        "제 번호는 9001011234567 입니다",
        "090315 - 4123456",
        "０９０３１５－４１２３４５６",  # full-width
        "050228-3******",  # masked back part still reveals birth date and sex
        "880101–2345678",  # en dash
        "외국인등록번호 900101-5234567",
    ],
)
def test_rrn_shapes_are_found(text: str) -> None:
    assert contains_rrn(text)
    with pytest.raises(ValidationError) as excinfo:
        reject_rrn(text)
    assert excinfo.value.code == "rrn_not_allowed"


@pytest.mark.parametrize(
    "text",
    [
        "",
        None,
        "서울노원중학교",
        "010-1234-5678",  # a phone number
        "2026-11-25",
        "991332-1234567",  # no 32nd day of the 13th month
        "12345678901234",  # 14 digits
        "가구 월 소득 1,200,000원",
    ],
)
def test_ordinary_text_passes(text: str | None) -> None:
    assert not contains_rrn(text)
    reject_rrn(text)


@given(
    st.integers(0, 99),
    st.integers(1, 12),
    st.integers(1, 28),
    st.integers(0, 9),
    st.integers(0, 999_999),
    st.sampled_from(["-", "", " - "]),
)
def test_any_valid_date_shaped_number_is_found(
    yy: int, mm: int, dd: int, first: int, rest: int, sep: str
) -> None:
    assert contains_rrn(f"번호 {yy:02d}{mm:02d}{dd:02d}{sep}{first}{rest:06d} 끝")
