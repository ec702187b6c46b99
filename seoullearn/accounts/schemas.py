from __future__ import annotations

import datetime as dt
import uuid

from ninja import Schema
from pydantic import Field


class ErrorOut(Schema):
    code: str
    message: str
    details: dict[str, object]


class LearnerProfileOut(Schema):
    school_level: str
    grade: int | None
    district_code: str
    school_name: str


class MeOut(Schema):
    public_id: uuid.UUID
    username: str
    email: str
    role: str
    full_name: str
    birth_date: dt.date | None
    phone: str
    preferred_language: str
    mfa_enrolled: bool
    needs_guardian_consent: bool
    may_apply: bool | None
    learner_profile: LearnerProfileOut | None


class MePatch(Schema):
    full_name: str | None = Field(default=None, max_length=100)
    phone: str | None = Field(default=None, max_length=20)
    preferred_language: str | None = None
    school_level: str | None = None
    grade: int | None = None
    district_code: str | None = Field(default=None, max_length=10)
    school_name: str | None = Field(default=None, max_length=100)


class TokenIn(Schema):
    name: str = Field(min_length=1, max_length=100)
    expires_in_days: int | None = Field(default=90, ge=1, le=365)


class TokenOut(Schema):
    public_id: uuid.UUID
    name: str
    prefix: str
    created_at: dt.datetime
    expires_at: dt.datetime | None
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None


class TokenCreatedOut(TokenOut):
    token: str = Field(description="Shown once; only a hash is stored.")


class NoticeOut(Schema):
    public_id: uuid.UUID
    kind: str
    version: str
    title: str
    body: str
    required: bool
    effective_from: dt.date


class ConsentOut(Schema):
    public_id: uuid.UUID
    subject: uuid.UUID
    notice_kind: str
    notice_version: str
    method: str
    given_by: uuid.UUID
    given_at: dt.datetime
    active: bool
    withdrawn_at: dt.datetime | None
    withdrawal_reason: str
    withdrawal_effect: str


class ConsentGiveIn(Schema):
    notice_kind: str


class WithdrawIn(Schema):
    reason: str = Field(min_length=1, max_length=300)


class InvitationIn(Schema):
    guardian_name: str = Field(min_length=1, max_length=100)
    relationship: str = Field(min_length=1, max_length=30)
    phone: str = Field(min_length=9, max_length=20)


class InvitationOut(Schema):
    public_id: uuid.UUID
    learner: uuid.UUID
    guardian: uuid.UUID | None
    guardian_name: str
    relationship: str
    phone_masked: str
    status: str
    expires_at: dt.datetime
    verified_at: dt.datetime | None
    sent_count: int


class AcceptIn(Schema):
    token: str = Field(min_length=10, max_length=100)
    code: str = Field(min_length=6, max_length=6, pattern=r"^\d{6}$")
    consents: list[str] = Field(description="Notice kinds the guardian consents to.")


class RevokeIn(Schema):
    reason: str = Field(min_length=1, max_length=300)


class ChildOut(Schema):
    public_id: uuid.UUID
    full_name: str
    relationship: str
    guardian_consent: bool
    may_apply: bool
    active_consents: list[str]
