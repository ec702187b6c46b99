from __future__ import annotations

import datetime as dt
from uuid import UUID

from ninja import Schema


class MatchOut(Schema):
    id: UUID
    mentor_name: str
    university: str
    schedule: list[str]
    status: str
    score: int
    components: dict[str, int]
    ended_on: dt.date | None = None
    ending: str = ""
    end_reason_code: str = ""
    next_step: str = ""
    exit_survey_answered: bool = False


class MenteeOut(Schema):
    match_id: UUID
    name: str
    school_level: str
    grade: int
    subjects: list[str]


class GroupOut(Schema):
    id: UUID
    started_on: dt.date
    schedule: list[str]
    health: str
    mentees: list[MenteeOut]


class SessionLogIn(Schema):
    notes: str
    attended: dict[str, bool]


class SessionOut(Schema):
    id: UUID
    date: dt.date
    topic: str
    status: str


class RunOut(Schema):
    id: UUID
    status: str
    progress: float
    progress_label: str
    stats: dict[str, object]


class FeedbackIn(Schema):
    rating: int
    comment: str = ""


class ExitSurveyIn(Schema):
    rating: int
    went_well: str = ""
    could_be_better: str = ""
    would_recommend: bool


class ExitSurveyOut(Schema):
    id: UUID
    match_id: UUID
    respondent: str
    rating: int
    went_well: str
    could_be_better: str
    would_recommend: bool


class EndRequestIn(Schema):
    ending: str
    reason_code: str
    detail: str = ""


class EndRequestOut(Schema):
    id: UUID
    match_id: UUID
    ending: str
    reason_code: str
    detail: str
    status: str


class MatchEndIn(Schema):
    ending: str
    reason_code: str
    reason: str = ""
    rematch: bool = False


class MatchEndOut(Schema):
    id: UUID
    status: str
    ended_on: dt.date | None
    ending: str
    end_reason_code: str
    rematch_requested: bool
