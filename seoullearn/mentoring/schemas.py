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
