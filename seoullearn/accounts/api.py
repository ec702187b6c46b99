"""Accounts API (/api/accounts/): profile, personal tokens, consents, notices, guardian links.

The endpoints call the same services as the pages; errors have the shape
``{code, message, details}``.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from ninja import Router
from ninja.pagination import LimitOffsetPagination, paginate
from ninja.responses import Status

from seoullearn.accounts import schemas, selectors, services
from seoullearn.accounts.effects import WITHDRAWAL_EFFECTS
from seoullearn.accounts.models import (
    ApiToken,
    ConsentRecord,
    GuardianLink,
    LearnerProfile,
    User,
)
from seoullearn.core.errors import InvalidInput, NotFound
from seoullearn.core.permissions import require_role
from seoullearn.core.roles import Role
from seoullearn.core.services import access_log_record

router = Router(tags=["accounts"])

ERRORS: dict[int, Any] = {
    400: schemas.ErrorOut,
    401: schemas.ErrorOut,
    403: schemas.ErrorOut,
    404: schemas.ErrorOut,
    409: schemas.ErrorOut,
}


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _me(user: User) -> dict[str, Any]:
    profile = LearnerProfile.objects.filter(user=user).first()
    is_learner = user.role == Role.LEARNER
    return {
        "public_id": user.public_id,
        "username": user.username,
        "email": user.email,
        "role": user.role,
        "full_name": user.full_name,
        "birth_date": user.birth_date,
        "phone": services.format_mobile(user.phone) if user.phone else "",
        "preferred_language": user.preferred_language,
        "mfa_enrolled": selectors.has_totp(user),
        "needs_guardian_consent": is_learner and selectors.needs_guardian_consent(user),
        "may_apply": selectors.may_apply(user) if is_learner else None,
        "learner_profile": (
            {
                "school_level": profile.school_level,
                "grade": profile.grade,
                "district_code": profile.district_code,
                "school_name": profile.school_name,
            }
            if profile is not None
            else None
        ),
    }


@router.get("/me", response={200: schemas.MeOut, **ERRORS}, summary="My profile")
def me(request: HttpRequest) -> Any:
    return _me(_user(request))


@router.patch("/me", response={200: schemas.MeOut, **ERRORS}, summary="Edit my profile")
def me_update(request: HttpRequest, payload: schemas.MePatch) -> Any:
    user = _user(request)
    data = payload.model_dump(exclude_unset=True)
    if {"full_name", "phone", "preferred_language"} & data.keys():
        services.user_update_profile(
            user=user,
            actor=user,
            full_name=(
                str(data["full_name"]) if data.get("full_name") is not None else user.full_name
            ),
            phone=str(data["phone"] if data.get("phone") is not None else user.phone),
            preferred_language=data.get("preferred_language"),
        )
    learner_keys = {"school_level", "grade", "district_code", "school_name"}
    if learner_keys & data.keys():
        profile = LearnerProfile.objects.filter(user=user).first()
        services.learner_profile_update(
            user=user,
            actor=user,
            school_level=data.get("school_level", getattr(profile, "school_level", "")) or "",
            grade=data.get("grade", getattr(profile, "grade", None)),
            district_code=data.get("district_code", getattr(profile, "district_code", "")) or "",
            school_name=data.get("school_name", getattr(profile, "school_name", "")) or "",
        )
    user.refresh_from_db()
    return _me(user)


# --- tokens ---------------------------------------------------------------------------------


@router.get("/tokens", response=list[schemas.TokenOut], summary="My personal API tokens")
@paginate(LimitOffsetPagination)
def tokens_list(request: HttpRequest) -> Any:
    return selectors.api_tokens_of(_user(request))


@router.post("/tokens", response={201: schemas.TokenCreatedOut, **ERRORS}, summary="Create a token")
def token_create(request: HttpRequest, payload: schemas.TokenIn) -> Any:
    token, raw = services.api_token_create(
        user=_user(request), name=payload.name, expires_in_days=payload.expires_in_days
    )
    return Status(201, {**schemas.TokenOut.from_orm(token).model_dump(), "token": raw})


@router.post(
    "/tokens/{public_id}/revoke",
    response={200: schemas.TokenOut, **ERRORS},
    summary="Revoke a token",
)
def token_revoke(request: HttpRequest, public_id: uuid.UUID) -> Any:
    token = ApiToken.objects.filter(public_id=public_id, user=_user(request)).first()
    if token is None:
        raise NotFound(_("토큰을 찾을 수 없습니다."), code="token_not_found")
    return services.api_token_revoke(token=token, actor=_user(request))


# --- notices and consents -------------------------------------------------------------------


@router.get("/notices", response=list[schemas.NoticeOut], auth=None, summary="Current notices")
def notices(request: HttpRequest) -> Any:
    return [
        {
            "public_id": n.public_id,
            "kind": n.kind,
            "version": n.version,
            "title": n.title,
            "body": n.body,
            "required": n.required,
            "effective_from": n.effective_from,
        }
        for n in selectors.current_notices()
    ]


def _consent_out(record: ConsentRecord) -> dict[str, Any]:
    return {
        "public_id": record.public_id,
        "subject": record.subject.public_id,
        "notice_kind": record.notice.kind,
        "notice_version": record.notice.version,
        "method": record.method,
        "given_by": record.given_by.public_id,
        "given_at": record.given_at,
        "active": record.is_active,
        "withdrawn_at": record.withdrawn_at,
        "withdrawal_reason": record.withdrawal_reason,
        "withdrawal_effect": str(WITHDRAWAL_EFFECTS.get(record.notice.kind, "")),
    }


def _subject_for(request: HttpRequest, subject: uuid.UUID | None) -> User:
    """The person whose consents are read: oneself, or a child of a verified guardian."""
    user = _user(request)
    if subject is None or subject == user.public_id:
        return user
    child = selectors.child_of_guardian(user, subject) if user.role == Role.GUARDIAN else None
    if child is None:
        raise NotFound(_("찾을 수 없습니다."), code="subject_not_found")
    access_log_record(
        actor=user,
        subject=child,
        action="view",
        purpose="guardian views child's consents (API)",
        request=request,
        obj=child,
    )
    return child


@router.get("/consents", response={200: list[schemas.ConsentOut], **ERRORS}, summary="Consents")
def consents_list(request: HttpRequest, subject: uuid.UUID | None = None) -> Any:
    person = _subject_for(request, subject)
    return [
        _consent_out(r)
        for r in selectors.consents_of(person).select_related("subject", "given_by")[:500]
    ]


@router.post("/consents", response={201: schemas.ConsentOut, **ERRORS}, summary="Give my consent")
def consent_give(request: HttpRequest, payload: schemas.ConsentGiveIn) -> Any:
    user = _user(request)
    notice = selectors.current_notice(payload.notice_kind)
    if notice is None:
        raise InvalidInput(
            _("알 수 없는 고지문 종류입니다."),
            code="unknown_notice",
            details={"field": "notice_kind"},
        )
    record = services.consent_give(
        subject=user,
        given_by=user,
        notice=notice,
        method=ConsentRecord.Method.SELF,
        ip_address=services.request_ip(request),
    )
    return Status(201, _consent_out(record))


@router.post(
    "/consents/{public_id}/withdraw",
    response={200: schemas.ConsentOut, **ERRORS},
    summary="Withdraw a consent (mine, or my child's as a verified guardian)",
)
def consent_withdraw(
    request: HttpRequest, public_id: uuid.UUID, payload: schemas.WithdrawIn
) -> Any:
    record = get_object_or_404(
        ConsentRecord.objects.select_related("subject", "notice", "given_by"), public_id=public_id
    )
    updated = services.consent_withdraw(record=record, actor=_user(request), reason=payload.reason)
    return _consent_out(updated)


# --- guardian invitations -------------------------------------------------------------------


def _invitation_out(link: GuardianLink) -> dict[str, Any]:
    return {
        "public_id": link.public_id,
        "learner": link.learner.public_id,
        "guardian": link.guardian.public_id if link.guardian else None,
        "guardian_name": link.guardian_name,
        "relationship": link.relationship,
        "phone_masked": services.mask_mobile(link.contact),
        "status": link.status,
        "expires_at": link.expires_at,
        "verified_at": link.verified_at,
        "sent_count": link.sent_count,
    }


def _base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/").rstrip("/")


@router.get(
    "/guardian-invitations",
    response={200: list[schemas.InvitationOut], **ERRORS},
    summary="My guardian invitations (learner) or my links (guardian)",
)
def invitations_list(request: HttpRequest) -> Any:
    user = _user(request)
    require_role(user, Role.LEARNER, Role.GUARDIAN)
    links = (
        selectors.guardian_links_of_learner(user)
        if user.role == Role.LEARNER
        else selectors.guardian_links_of_guardian(user)
    )
    return [_invitation_out(link) for link in links.select_related("learner", "guardian")[:100]]


@router.post(
    "/guardian-invitations",
    response={201: schemas.InvitationOut, **ERRORS},
    summary="Invite a guardian (learner)",
)
def invitation_create(request: HttpRequest, payload: schemas.InvitationIn) -> Any:
    user = _user(request)
    require_role(user, Role.LEARNER)
    link = services.guardian_invite(
        learner=user,
        actor=user,
        guardian_name=payload.guardian_name,
        relationship=payload.relationship,
        phone=payload.phone,
        base_url=_base_url(request),
    )
    return Status(201, _invitation_out(link))


def _own_link(request: HttpRequest, public_id: uuid.UUID) -> GuardianLink:
    user = _user(request)
    link = (
        GuardianLink.objects.select_related("learner", "guardian")
        .filter(public_id=public_id)
        .first()
    )
    if link is None or user.pk not in (link.learner_id, link.guardian_id):
        raise NotFound(_("초대를 찾을 수 없습니다."), code="link_not_found")
    return link


@router.post(
    "/guardian-invitations/{public_id}/resend",
    response={200: schemas.InvitationOut, **ERRORS},
    summary="Send a fresh link and code (learner)",
)
def invitation_resend(request: HttpRequest, public_id: uuid.UUID) -> Any:
    require_role(_user(request), Role.LEARNER)
    link = _own_link(request, public_id)
    updated = services.guardian_link_resend(
        link=link, actor=_user(request), base_url=_base_url(request)
    )
    return _invitation_out(updated)


@router.post(
    "/guardian-invitations/{public_id}/revoke",
    response={200: schemas.InvitationOut, **ERRORS},
    summary="Cancel an invitation or end a guardian link",
)
def invitation_revoke(request: HttpRequest, public_id: uuid.UUID, payload: schemas.RevokeIn) -> Any:
    link = _own_link(request, public_id)
    updated = services.guardian_link_revoke(link=link, actor=_user(request), reason=payload.reason)
    return _invitation_out(updated)


@router.post(
    "/guardian-invitations/accept",
    response={200: schemas.InvitationOut, **ERRORS},
    summary="Accept an invitation with the code and consent for the child (guardian)",
)
def invitation_accept(request: HttpRequest, payload: schemas.AcceptIn) -> Any:
    link = services.guardian_link_accept(
        token=payload.token,
        guardian=_user(request),
        code=payload.code,
        consent_kinds=payload.consents,
        ip_address=services.request_ip(request),
    )
    return _invitation_out(link)


@router.get(
    "/children", response={200: list[schemas.ChildOut], **ERRORS}, summary="My children (guardian)"
)
def children(request: HttpRequest) -> Any:
    user = _user(request)
    require_role(user, Role.GUARDIAN)
    return [
        {
            "public_id": item.child.public_id,
            "full_name": item.child.full_name,
            "relationship": item.link.relationship,
            "guardian_consent": item.guardian_consent,
            "may_apply": item.may_apply,
            "active_consents": sorted(item.active_kinds),
        }
        for item in selectors.children_status(user)
    ]
