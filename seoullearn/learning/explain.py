"""Turns the planner's reason codes into sentences in the reader's language."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from seoullearn.learning.models import LearningStyle, Subject


def subject_label(code: str) -> str:
    try:
        return str(Subject(code).label)
    except ValueError:
        return code


def weekday_label(index: int) -> str:
    names = [
        _("월요일"),
        _("화요일"),
        _("수요일"),
        _("목요일"),
        _("금요일"),
        _("토요일"),
        _("일요일"),
    ]
    return names[index % 7]


def short_weekday(index: int) -> str:
    names = [_("월"), _("화"), _("수"), _("목"), _("금"), _("토"), _("일")]
    return names[index % 7]


def kind_label(kind: str) -> str:
    labels = {
        "mentoring": _("멘토링"),
        "consulting": _("상담"),
        "lecture": _("특강"),
        "career": _("진로 프로그램"),
    }
    return labels.get(kind, kind)


def reason_text(reason: dict[str, Any]) -> str:
    code = reason.get("code", "")
    p = reason.get("params", {}) or {}
    if code == "subject_chosen":
        return _("내가 고른 과목(%(s)s)이에요.") % {"s": subject_label(p.get("subject", ""))}
    if code == "goal":
        return _("목표 '%(g)s'에 필요한 공부예요.") % {"g": p.get("goal", "")}
    if code == "goal_due_soon":
        return _("목표 '%(g)s'의 목표일(%(d)s)이 가까워요.") % {
            "g": p.get("goal", ""),
            "d": p.get("due", ""),
        }
    if code == "balance_low":
        return _("최근 공부 시간 중 이 과목은 %(p)s%%뿐이라 조금 더 넣었어요.") % {
            "p": p.get("percent", "0")
        }
    if code == "carried_over":
        return _("지난주에 못 한 과목이라 이어서 해요.")
    if code == "offering_match":
        return _("선택한 학습 서비스 '%(o)s'에서 이 과목을 배울 수 있어요.") % {
            "o": p.get("offering", "")
        }
    if code == "free_time":
        return _("%(day)s에 쓸 수 있는 시간 %(m)s분 중 %(load)s%%만 계획했어요.") % {
            "day": weekday_label(int(p.get("weekday", 0))),
            "m": p.get("minutes", "0"),
            "load": p.get("load", "0"),
        }
    if code == "learning_style":
        try:
            style = str(LearningStyle(p.get("style", "")).label)
        except ValueError:
            style = p.get("style", "")
        return _("학습 스타일('%(s)s')에 맞춘 방법을 권해요.") % {"s": style}
    if code == "weekly_review":
        return _("한 주 동안 배운 것을 다시 보면 오래 기억해요.")
    if code == "fixed_commitment":
        return _("예약된 %(k)s 일정이라 그대로 두었어요.") % {"k": kind_label(p.get("kind", ""))}
    if code == "own_item":
        return _("내가 직접 추가한 일이에요.")
    if code == "pace_start":
        return _("첫 계획이라 쓸 수 있는 시간의 %(p)s%%만 채웠어요. 여유가 있어야 오래 갑니다.") % {
            "p": p.get("load", "80")
        }
    if code == "pace_behind":
        return _(
            "지난주에는 계획의 %(p)s%%를 했어요. "
            "이번 주는 가볍고 짧게 짰어요. 천천히 다시 시작해요."
        ) % {"p": p.get("percent", "0")}
    if code == "pace_on_track":
        return _("지난주에 계획의 %(p)s%%를 했어요. 지금 속도를 이어가요.") % {
            "p": p.get("percent", "0")
        }
    if code == "pace_ahead":
        return _(
            "지난주에 계획보다 많이(%(p)s%%) 했어요. 이번 주는 쓸 수 있는 시간을 다 채웠어요."
        ) % {"p": p.get("percent", "0")}
    if code == "fixed_over_time":
        return _("예약된 일정이 그날 쓸 수 있는 시간보다 길어요. 그날은 공부를 더 넣지 않았어요.")
    if code == "no_availability":
        return _("공부할 수 있는 시간을 입력하면 계획을 짜 드려요.")
    if code == "quota_remaining":
        return _("아직 %(n)s회 더 받을 수 있어요.") % {"n": p.get("remaining", "0")}
    if code == "lecture_open":
        return _("곧 열리는 특강이에요. 신청할 수 있어요.")
    return code


def mode_label(mode: str) -> str:
    labels = {
        "video": _("강의 영상 보기"),
        "listen": _("듣고 소리 내어 설명하기"),
        "read": _("읽고 정리 노트 쓰기"),
        "practice": _("문제 풀고 직접 해 보기"),
    }
    return labels.get(mode, "")
