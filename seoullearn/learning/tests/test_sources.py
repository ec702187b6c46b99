from __future__ import annotations

from seoullearn.learning.sources import subject_codes


def test_catalogue_subject_names_become_subject_codes():
    assert subject_codes(["국어", "수학", "탐구", "math", "우주비행"]) == (
        "korean",
        "math",
        "science",
        "social",
    )
    assert subject_codes(["한국사능력검정", "정보처리기능사"]) == ("history", "certificate")
    assert subject_codes(None) == ()
