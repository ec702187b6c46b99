"""Demo data for eligibility and membership: a plausible year of 서울런 applications.

Applicants live in all 25 districts (more in the districts with more low-income households),
belong to the six categories in realistic proportions (most are basic livelihood recipients
or near-poor, fewer single-parent families, some out-of-school, multicultural and defector
youth), are 6 to 24 years old with a matching school level and grade, and have applications
in every state. Children under 14 have a guardian with verified consent (a few drafts still
wait for one). The sandbox welfare registry knows most applicants, so most submissions are
verified automatically. ``--size full`` makes about 20,000 applicants with bulk inserts.

The same ``--seed`` gives the same people, dates and decisions.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import models

from seoullearn.accounts import selectors as account_selectors
from seoullearn.accounts.models import (
    ConsentNotice,
    ConsentRecord,
    GuardianLink,
    LearnerProfile,
    SchoolLevel,
    User,
)
from seoullearn.core.crypto import blind_index
from seoullearn.core.demo import DEMO_PASSWORD, DemoContext
from seoullearn.core.files import store_encrypted
from seoullearn.core.geo import SEOUL_DISTRICTS
from seoullearn.core.roles import Role
from seoullearn.core.timeutil import SEOUL
from seoullearn.eligibility import rules
from seoullearn.eligibility.models import (
    Application,
    ApplicationEvent,
    EligibilityPolicy,
    Evidence,
    Membership,
    MembershipEvent,
    SandboxWelfareRecord,
    VerificationRun,
    category_index,
)
from seoullearn.eligibility.verifiers import (
    RuleVerifier,
    SandboxWelfareRegistry,
    VerificationRequest,
    combine,
    person_key,
)
from seoullearn.programmes.models import Programme

BATCH = 2000

# Shares of the six categories among applicants.
CATEGORY_WEIGHTS: dict[str, float] = {
    rules.Category.BASIC_LIVELIHOOD: 38,
    rules.Category.NEAR_POOR: 30,
    rules.Category.SINGLE_PARENT: 18,
    rules.Category.MULTICULTURAL: 7,
    rules.Category.OUT_OF_SCHOOL: 5,
    rules.Category.DEFECTOR: 2,
}

# Relative number of applicants per district: more where more households receive benefits.
DISTRICT_WEIGHTS: dict[str, float] = {
    "11350": 9.0,  # 노원
    "11500": 8.0,  # 강서
    "11620": 7.5,  # 관악
    "11260": 7.0,  # 중랑
    "11380": 6.0,  # 은평
    "11305": 5.5,  # 강북
    "11320": 5.0,  # 도봉
    "11530": 5.0,  # 구로
    "11470": 4.5,  # 양천
    "11710": 4.5,  # 송파
    "11740": 4.5,  # 강동
    "11290": 4.5,  # 성북
    "11545": 4.0,  # 금천
    "11230": 4.0,  # 동대문
    "11560": 4.0,  # 영등포
    "11590": 3.5,  # 동작
    "11440": 3.0,  # 마포
    "11410": 3.0,  # 서대문
    "11215": 3.0,  # 광진
    "11200": 2.5,  # 성동
    "11680": 2.5,  # 강남
    "11650": 2.0,  # 서초
    "11170": 2.0,  # 용산
    "11110": 1.5,  # 종로
    "11140": 1.5,  # 중구
}

STATE_WEIGHTS: dict[str, float] = {
    Application.Status.DRAFT: 4,
    Application.Status.SUBMITTED: 2,
    Application.Status.IN_REVIEW: 10,
    Application.Status.INFO_REQUESTED: 4,
    Application.Status.APPROVED: 70,
    Application.Status.REJECTED: 6,
    Application.Status.WITHDRAWN: 4,
}

LEVEL_WEIGHTS: dict[str, float] = {
    SchoolLevel.ELEMENTARY: 30,
    SchoolLevel.MIDDLE: 30,
    SchoolLevel.HIGH: 28,
    SchoolLevel.ADULT: 12,
}

SURNAMES: list[tuple[str, float]] = [
    ("김", 21.5), ("이", 14.7), ("박", 8.4), ("최", 4.7), ("정", 4.3), ("강", 2.4), ("조", 2.1),
    ("윤", 2.1), ("장", 2.0), ("임", 1.7), ("한", 1.5), ("오", 1.5), ("서", 1.5), ("신", 1.5),
    ("권", 1.4), ("황", 1.4), ("안", 1.3), ("송", 1.3), ("전", 1.1), ("홍", 1.1), ("유", 1.0),
    ("고", 0.9), ("문", 0.9), ("양", 0.9), ("손", 0.9), ("배", 0.8), ("백", 0.8), ("허", 0.7),
]  # fmt: skip
GIVEN = list("민서지하도윤준예시수현우은채유아주연진태건린율원호빈솔나다람소담이찬결온별")
SCHOOL_SUFFIX: dict[str, str] = {
    SchoolLevel.ELEMENTARY: "초등학교",
    SchoolLevel.MIDDLE: "중학교",
    SchoolLevel.HIGH: "고등학교",
}
DECISION_REASONS: dict[str, Any] = {
    "approve_auto": "복지 자격 정보와 정책 기준 자동 확인 후 승인",
    "approve_manual": "제출 서류로 자격 확인, 승인",
    "reject_income": "가구 소득이 기준을 넘어 반려",
    "reject_registry": "복지 자격 정보와 신청 유형이 달라 반려",
    "reject_docs": "보완 요청 기한 내 서류 미제출로 반려",
    "info": [
        "발급일이 3개월 이내인 증명서를 다시 올려 주세요.",
        "가족관계증명서를 추가로 제출해 주세요.",
        "서류 일부가 잘려 보이지 않습니다. 전체가 보이게 다시 올려 주세요.",
    ],
    "withdraw": ["다른 지원 사업을 이용하게 되어 취소", "이사 예정", "신청자가 취소함"],
    "revoke": ["서울 외 지역으로 전출", "허위 서류 제출 확인", "본인 요청으로 탈퇴"],
}


@dataclass
class Person:
    index: int
    user: User
    name: str
    birth_date: dt.date
    age: int
    level: str
    grade: int | None
    school: str
    district: str
    category: str
    household_size: int | None
    income: int | None
    state: str
    registry: str  # "match", "mismatch", "ended", "none"
    submitted_at: dt.datetime | None = None
    decided_at: dt.datetime | None = None
    application: Application | None = None
    verification: str = Application.Verification.PENDING
    runs: list[Any] = field(default_factory=list)
    guardian: User | None = None
    membership: Membership | None = None


def _weighted(ctx: DemoContext, weights: dict[str, float]) -> str:
    return ctx.rng.choices(list(weights), weights=list(weights.values()))[0]


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _uuid(ctx: DemoContext) -> uuid.UUID:
    return uuid.UUID(int=ctx.rng.getrandbits(128), version=4)


def _name(ctx: DemoContext) -> str:
    surname = ctx.rng.choices([s for s, _ in SURNAMES], weights=[w for _, w in SURNAMES])[0]
    return surname + ctx.rng.choice(GIVEN) + ctx.rng.choice(GIVEN)


def _moment(day: dt.date, ctx: DemoContext) -> dt.datetime:
    """A working-hours moment on a day in Seoul, as an aware datetime."""
    return dt.datetime(
        day.year, day.month, day.day, ctx.rng.randint(9, 21), ctx.rng.randint(0, 59), tzinfo=SEOUL
    )


@contextmanager
def _explicit_timestamps(*model_classes: type[models.Model]) -> Iterator[None]:
    """Let bulk inserts keep the historical ``created_at`` we give them (demo seeding only)."""
    changed: list[tuple[Any, bool, bool]] = []
    for model in model_classes:
        for f in model._meta.concrete_fields:
            if getattr(f, "auto_now_add", False) or getattr(f, "auto_now", False):
                changed.append((f, f.auto_now_add, f.auto_now))  # type: ignore[attr-defined]
                f.auto_now_add = False  # type: ignore[attr-defined]
                f.auto_now = False  # type: ignore[attr-defined]
    try:
        yield
    finally:
        for f, add, now in changed:
            f.auto_now_add = add
            f.auto_now = now


def _bulk(model: type[models.Model], objs: Sequence[Any], *, history: bool = False) -> None:
    if not objs:
        return
    if history:
        from simple_history.utils import bulk_create_with_history

        bulk_create_with_history(list(objs), model, batch_size=BATCH)
    else:
        model.objects.bulk_create(list(objs), batch_size=BATCH)  # type: ignore[attr-defined]


# --- sample documents ----------------------------------------------------------------------


def sample_pdf(title: str) -> bytes:
    """A small valid one-page PDF (ASCII text) marked as a demo sample."""
    text = f"Seoul Learn DEMO - {title} - sample, not a real certificate"
    stream = f"BT /F1 14 Tf 50 760 Td ({text}) Tj ET".encode("latin-1", "replace")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(f"{number} 0 obj\n".encode() + body + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for offset in offsets:
        out.write(f"{offset:010d} 00000 n \n".encode())
    out.write(
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return out.getvalue()


def sample_png(title_ko: str, title_en: str) -> bytes:
    """A certificate-like image with the document's name, marked as a sample."""
    from PIL import Image, ImageDraw, ImageFont

    image = Image.new("RGB", (640, 420), (252, 252, 248))
    draw = ImageDraw.Draw(image)
    draw.rectangle((12, 12, 627, 407), outline=(11, 80, 208), width=4)
    font: Any
    small: Any
    try:
        font = ImageFont.truetype("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc", 30)
        small = ImageFont.truetype("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 18)
        title = title_ko
    except OSError:
        font = small = ImageFont.load_default()
        title = title_en
    draw.text((40, 50), title, fill=(30, 33, 36), font=font)
    draw.text((40, 120), "성명: ○○○     생년월일: ****-**-**", fill=(60, 60, 60), font=small)
    draw.text((40, 160), "주민등록번호: ******-*******", fill=(60, 60, 60), font=small)
    draw.text((40, 200), "위 사람은 위 자격에 해당함을 증명합니다.", fill=(60, 60, 60), font=small)
    draw.text((40, 340), "DEMO SAMPLE - 견본 (서울런 데모 데이터)", fill=(211, 32, 43), font=small)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


# --- seeding -------------------------------------------------------------------------------


def seed(ctx: DemoContext) -> None:
    programme: Programme | None = ctx.shared.get("programme")
    if programme is None:
        programme = Programme.objects.order_by("-year").first()
    if programme is None:
        raise RuntimeError("the programmes demo must run first")
    if Application.objects.filter(programme=programme).exists():
        # Already seeded (seed_demo run again): only share what later apps need.
        current = Membership.objects.filter(programme=programme, status__in=Membership.CURRENT)
        ctx.shared["members"] = [m.user for m in current.select_related("user")]
        return
    districts = sorted(d.code for d in SEOUL_DISTRICTS)
    policy = rules.default_policy(districts)
    EligibilityPolicy.objects.update_or_create(
        programme=programme,
        defaults={"data": policy.as_dict(), "change_reason": "기본 정책 (데모)"},
    )
    operators = _operators(ctx)
    count = ctx.scale(400, 20_000)
    people = _people(ctx, programme, policy, count)
    _users(ctx, people)
    _guardians(ctx, people)
    _sandbox(ctx, people, programme)
    _applications(ctx, people, programme, policy, operators)
    _memberships(ctx, people, programme, policy, operators)
    _queue_pending(people)
    _logins(ctx, people)
    ctx.shared["eligibility_policy"] = policy
    ctx.shared["applicants"] = [p.user for p in people]
    ctx.shared["members"] = [
        p.user
        for p in people
        if p.membership is not None and p.membership.status in Membership.CURRENT
    ]


def _operators(ctx: DemoContext) -> list[User]:
    shared = (ctx.shared.get("accounts") or {}).get("operators")
    if shared:
        return list(shared)
    existing = list(User.objects.filter(role=Role.OPERATOR).order_by("id")[:2])
    if existing:
        return existing
    # Without the accounts demo: one reviewer with a known TOTP secret.
    from allauth.mfa.totp.internal.auth import TOTP

    secret = "DEMOREVIEWERSEOULLEARNTOTPSECRET"
    reviewer = User(
        username="reviewer",
        email="reviewer@demo.seoullearn.example",
        role=Role.OPERATOR,
        full_name="서심사",
        birth_date=dt.date(1986, 5, 5),
    )
    reviewer.set_password(DEMO_PASSWORD)
    reviewer.save()
    TOTP.activate(reviewer, secret)
    ctx.login(Role.OPERATOR, "reviewer", note=f"TOTP secret {secret}")
    return [reviewer]


def _level_and_age(ctx: DemoContext, category: str) -> tuple[str, int, int | None]:
    if category == rules.Category.OUT_OF_SCHOOL:
        return SchoolLevel.OUT_OF_SCHOOL, ctx.rng.randint(13, 24), None
    level = _weighted(ctx, LEVEL_WEIGHTS)
    if level == SchoolLevel.ELEMENTARY:
        age = ctx.rng.choices(range(6, 13), weights=[1, 4, 5, 6, 6, 7, 7])[0]
        return level, age, max(1, age - 6)
    if level == SchoolLevel.MIDDLE:
        age = ctx.rng.randint(13, 15)
        return level, age, age - 12
    if level == SchoolLevel.HIGH:
        age = ctx.rng.randint(16, 18)
        return level, age, age - 15
    return SchoolLevel.ADULT, ctx.rng.randint(19, 24), None


def _household(
    ctx: DemoContext, category: str, policy: rules.Policy, over: bool
) -> tuple[int | None, int | None]:
    rule = policy.category(category)
    size = ctx.rng.choices([1, 2, 3, 4, 5, 6], weights=[2, 22, 32, 28, 12, 4])[0]
    if rule is None or not rule.income_check:
        return (size if ctx.rng.random() < 0.5 else None), None
    median = rules.median_for(policy.median_income, size)
    shares: dict[str, tuple[float, float]] = {
        rules.Category.BASIC_LIVELIHOOD: (0.05, 0.30),
        rules.Category.NEAR_POOR: (0.30, 0.50),
        rules.Category.SINGLE_PARENT: (0.30, 0.63),
    }
    share = shares[category]
    if over:
        share = (share[1] + 0.02, share[1] + 0.25)
    income = int(median * ctx.rng.uniform(*share)) // 1000 * 1000
    return size, income


def _people(
    ctx: DemoContext, programme: Programme, policy: rules.Policy, count: int
) -> list[Person]:
    today = ctx.today
    password = make_password(DEMO_PASSWORD)
    people: list[Person] = []
    for i in range(1, count + 1):
        category = _weighted(ctx, CATEGORY_WEIGHTS)
        level, age, grade = _level_and_age(ctx, category)
        birth = _years_before(today, age) - dt.timedelta(days=ctx.rng.randint(1, 360))
        district = _weighted(ctx, DISTRICT_WEIGHTS)
        state = _weighted(ctx, STATE_WEIGHTS)
        roll = ctx.rng.random()
        registry = (
            "match"
            if roll < 0.86
            else "none"
            if roll < 0.94
            else "mismatch"
            if roll < 0.97
            else "ended"
        )
        over_limit = False
        if state == Application.Status.REJECTED:
            # Rejections follow a failed check: income over the limit or a registry mismatch.
            rule = policy.category(category)
            if rule is not None and rule.income_check and ctx.rng.random() < 0.5:
                over_limit = True
            else:
                registry = ctx.rng.choice(["mismatch", "ended"])
        elif state == Application.Status.APPROVED and registry in ("mismatch", "ended"):
            registry = "none"  # approved on the documents alone
        size, income = _household(ctx, category, policy, over_limit)
        name = _name(ctx)
        school = ""
        if level in SCHOOL_SUFFIX:
            school = (
                ctx.rng.choice(["서울", "한빛", "새솔", "푸른", "은빛", "한울", "다온", "미래"])
                + SCHOOL_SUFFIX[level]
            )
        user = User(
            username=f"learner{i:05d}",
            email=f"learner{i:05d}@demo.seoullearn.example",
            role=Role.LEARNER,
            full_name=name,
            birth_date=birth,
            password=password,
            public_id=_uuid(ctx),
            pseudonym=_uuid(ctx),
        )
        people.append(
            Person(
                index=i,
                user=user,
                name=name,
                birth_date=birth,
                age=age,
                level=level,
                grade=grade,
                school=school,
                district=district,
                category=category,
                household_size=size,
                income=income,
                state=state,
                registry=registry,
            )
        )
    # Dates: submissions spread over the programme year up to yesterday, decisions 1-14 days on.
    start = max(programme.starts_on, today - dt.timedelta(days=330))
    span = max(1, (today - start).days - 1)
    for person in people:
        if person.state == Application.Status.DRAFT:
            continue
        if person.state in (Application.Status.SUBMITTED,):
            day = today
        elif person.state in (Application.Status.IN_REVIEW, Application.Status.INFO_REQUESTED):
            day = today - dt.timedelta(days=ctx.rng.randint(1, 20))
        else:
            day = start + dt.timedelta(days=int(span * ctx.rng.random() ** 0.8))
        person.submitted_at = _moment(day, ctx)
        if person.state in (
            Application.Status.APPROVED,
            Application.Status.REJECTED,
            Application.Status.INFO_REQUESTED,
        ):
            decided = min(today, day + dt.timedelta(days=ctx.rng.randint(1, 14)))
            person.decided_at = max(
                person.submitted_at + dt.timedelta(hours=2), _moment(decided, ctx)
            )
    return people


def _users(ctx: DemoContext, people: list[Person]) -> None:
    _bulk(User, [p.user for p in people])
    ids = dict(
        User.objects.filter(username__in=[p.user.username for p in people]).values_list(
            "username", "id"
        )
    )
    for p in people:
        p.user.pk = ids[p.user.username]
    _bulk(
        LearnerProfile,
        [
            LearnerProfile(
                user=p.user,
                school_level=p.level,
                grade=p.grade,
                district_code=p.district,
                school_name=p.school,
                public_id=_uuid(ctx),
            )
            for p in people
        ],
    )


def _guardian_notice() -> ConsentNotice:
    notice = next(
        (n for n in account_selectors.current_notices() if n.kind == ConsentNotice.Kind.GUARDIAN),
        None,
    )
    if notice is not None:
        return notice
    notice, _ = ConsentNotice.objects.get_or_create(
        kind=ConsentNotice.Kind.GUARDIAN,
        version="2026.1",
        defaults={
            "title_ko": "법정대리인(보호자) 동의",
            "title_en": "Consent of the legal guardian",
            "body_ko": "만 14세 미만 아동의 개인정보 수집·이용에 법정대리인으로서 동의합니다.",
            "body_en": "As legal guardian I consent to the processing of the child's data.",
            "effective_from": dt.date(2026, 1, 1),
        },
    )
    return notice


def _guardians(ctx: DemoContext, people: list[Person]) -> None:
    """A guardian with a verified link and consent for every applicant under 14, except a
    few drafts that still wait for one."""
    notice = _guardian_notice()
    password = people[0].user.password if people else make_password(DEMO_PASSWORD)
    children = [p for p in people if p.age < account_selectors.GUARDIAN_CONSENT_AGE]
    waiting = {
        p.index for p in children if p.state == Application.Status.DRAFT and ctx.rng.random() < 0.4
    }
    guardians: list[User] = []
    for p in children:
        if p.index in waiting:
            continue
        surname = p.name[0]
        guardians.append(
            User(
                username=f"guardian{p.index:05d}",
                email=f"guardian{p.index:05d}@demo.seoullearn.example",
                role=Role.GUARDIAN,
                full_name=surname + ctx.rng.choice(GIVEN) + ctx.rng.choice(GIVEN),
                birth_date=_years_before(p.birth_date, ctx.rng.randint(26, 40)),
                password=password,
                public_id=_uuid(ctx),
                pseudonym=_uuid(ctx),
            )
        )
    _bulk(User, guardians)
    ids = dict(
        User.objects.filter(username__in=[g.username for g in guardians]).values_list(
            "username", "id"
        )
    )
    by_child: dict[int, User] = {}
    for g in guardians:
        g.pk = ids[g.username]
        by_child[int(g.username[-5:])] = g
    links: list[GuardianLink] = []
    consents: list[ConsentRecord] = []
    for p in children:
        guardian = by_child.get(p.index)
        if guardian is None:
            continue
        p.guardian = guardian
        phone = f"010-{5000 + p.index // 10000:04d}-{p.index % 10000:04d}"
        given = (p.submitted_at or _moment(ctx.today, ctx)) - dt.timedelta(
            days=ctx.rng.randint(1, 10)
        )
        links.append(
            GuardianLink(
                learner=p.user,
                guardian=guardian,
                relationship=ctx.rng.choice(["어머니", "아버지", "할머니", "할아버지", "이모"]),
                status=GuardianLink.Status.VERIFIED,
                contact=phone,
                contact_index=blind_index(phone, purpose="accounts.guardian_contact"),
                channel="sms_sandbox",
                token_hash=hashlib.sha256(f"demo-link-{ctx.seed}-{p.index}".encode()).hexdigest(),
                expires_at=given + dt.timedelta(days=7),
                verified_at=given,
                public_id=_uuid(ctx),
            )
        )
        consents.append(
            ConsentRecord(
                subject=p.user,
                given_by=guardian,
                notice=notice,
                method=ConsentRecord.Method.GUARDIAN_LINK,
                verification="demo: link + SMS code",
                given_at=given,
                public_id=_uuid(ctx),
            )
        )
    _bulk(GuardianLink, links)
    _bulk(ConsentRecord, consents)


def _sandbox(ctx: DemoContext, people: list[Person], programme: Programme) -> None:
    others = list(rules.CATEGORY_LABELS)
    records: list[SandboxWelfareRecord] = []
    for p in people:
        if p.registry == "none":
            continue
        categories = [p.category]
        valid_until = None
        if p.registry == "mismatch":
            categories = [ctx.rng.choice([c for c in others if c != p.category])]
        elif p.registry == "ended":
            valid_until = ctx.today - dt.timedelta(days=ctx.rng.randint(30, 400))
        records.append(
            SandboxWelfareRecord(
                person_index=person_key(p.name, p.birth_date, p.district),
                categories=categories,
                valid_from=ctx.today - dt.timedelta(days=ctx.rng.randint(400, 2000)),
                valid_until=valid_until,
                public_id=_uuid(ctx),
            )
        )
    _bulk(SandboxWelfareRecord, records)
    ctx.shared["_sandbox_records"] = {r.person_index: r for r in records}


def _documents(ctx: DemoContext) -> dict[str, list[tuple[str, str, int, str]]]:
    """Shared stored samples per evidence kind: (storage name, content type, size, sha256)."""
    samples: dict[str, list[tuple[str, str, int, str]]] = {}
    for kind, (ko, en) in rules.EVIDENCE_KINDS.items():
        files = [("image/png", sample_png(ko, en)), ("application/pdf", sample_pdf(en))]
        samples[kind] = [
            (
                store_encrypted(data, folder="evidence"),
                ctype,
                len(data),
                hashlib.sha256(data).hexdigest(),
            )
            for ctype, data in files
        ]
    return samples


def _applications(
    ctx: DemoContext,
    people: list[Person],
    programme: Programme,
    policy: rules.Policy,
    operators: list[User],
) -> None:
    registry = SandboxWelfareRegistry()
    rule_verifier = RuleVerifier()
    records: dict[str, Any] = ctx.shared.pop("_sandbox_records", {})
    samples = _documents(ctx)
    applications: list[Application] = []
    for p in people:
        required = policy.category(p.category).evidence  # type: ignore[union-attr]
        state = p.state
        submitted = state != Application.Status.DRAFT
        app = Application(
            applicant=p.user,
            programme=programme,
            kind=Application.Kind.NEW,
            status=state,
            step=Application.Step.REVIEW if submitted else ctx.rng.choice([1, 2, 3]),
            round=1 if submitted else 0,
            birth_date=p.birth_date,
            school_level=p.level,
            grade=p.grade,
            school_name=p.school,
            district_code=p.district,
            applicant_name=p.name,
            category=p.category,
            category_index=category_index(p.category),
            household={"size": p.household_size, "monthly_income_krw": p.income},
            submitted_at=p.submitted_at,
            public_id=_uuid(ctx),
        )
        created = (p.submitted_at or _moment(ctx.today, ctx)) - dt.timedelta(
            days=ctx.rng.randint(0, 3), minutes=ctx.rng.randint(5, 90)
        )
        app.created_at = created
        app.updated_at = p.decided_at or p.submitted_at or created
        if submitted and state != Application.Status.SUBMITTED:
            request = VerificationRequest(
                application_id=app.public_id,
                full_name=p.name,
                birth_date=p.birth_date,
                district_code=p.district,
                category=p.category,
                household_size=p.household_size,
                monthly_income_krw=p.income,
                evidence_kinds=frozenset(required),
                policy=policy,
                on=p.submitted_at.astimezone(SEOUL).date(),  # type: ignore[union-attr]
            )
            key = person_key(p.name, p.birth_date, p.district)
            found = [records[key]] if key in records else []
            p.runs = [rule_verifier.verify(request), registry.judge(found, request)]
            p.verification = combine(p.runs)
            app.verification = p.verification
            assert p.submitted_at is not None
            app.verified_at = p.submitted_at + dt.timedelta(minutes=ctx.rng.randint(1, 30))
        reviewer = ctx.rng.choice(operators)
        if state == Application.Status.APPROVED:
            app.decided_at, app.decided_by = p.decided_at, reviewer
            app.decision_reason = DECISION_REASONS[
                "approve_auto"
                if p.verification == Application.Verification.AUTO_VERIFIED
                else "approve_manual"
            ]
        elif state == Application.Status.REJECTED:
            app.decided_at, app.decided_by = p.decided_at, reviewer
            failed = [r.code for run in p.runs for r in run.reasons if r.passed is False]
            app.decision_reason = DECISION_REASONS[
                "reject_income"
                if "income_above_limit" in failed
                else "reject_registry"
                if failed
                else "reject_docs"
            ]
        elif state == Application.Status.INFO_REQUESTED:
            app.info_request = ctx.rng.choice(DECISION_REASONS["info"])  # type: ignore[arg-type]
        elif state == Application.Status.IN_REVIEW and ctx.rng.random() < 0.15:
            app.claimed_by, app.claimed_at = (
                reviewer,
                _moment(ctx.today, ctx) - dt.timedelta(hours=2),
            )
        p.application = app
        applications.append(app)

    with _explicit_timestamps(Application):
        _bulk(Application, applications, history=True)
    ids = dict(Application.objects.filter(programme=programme).values_list("public_id", "id"))
    for app in applications:
        app.pk = ids[app.public_id]

    evidence: list[Evidence] = []
    runs: list[VerificationRun] = []
    events: list[ApplicationEvent] = []
    for p in people:
        current = p.application
        assert current is not None
        app = current
        required = list(policy.category(p.category).evidence)  # type: ignore[union-attr]
        uploaded = (
            required
            if app.step >= Application.Step.EVIDENCE
            else required[: ctx.rng.randint(0, len(required))]
        )
        for kind in uploaded:
            if app.status in Application.EDITABLE:
                data = sample_pdf(rules.EVIDENCE_KINDS[kind][1])
                name, ctype, size, digest = (
                    store_encrypted(data, folder="evidence"),
                    "application/pdf",
                    len(data),
                    hashlib.sha256(data).hexdigest(),
                )
            else:
                name, ctype, size, digest = ctx.rng.choice(samples[kind])
            evidence.append(
                Evidence(
                    application=app,
                    kind=kind,
                    file=name,
                    content_type=ctype,
                    size_bytes=size,
                    sha256=digest,
                    original_name=rules.EVIDENCE_KINDS[kind][0]
                    + (".png" if ctype == "image/png" else ".pdf"),
                    uploaded_by=p.user,
                    round=1,
                    public_id=_uuid(ctx),
                    created_at=app.created_at,
                    updated_at=app.created_at,
                )
            )
        for run in p.runs:
            runs.append(
                VerificationRun(
                    application=app,
                    round=1,
                    verifier=run.verifier,
                    outcome=run.outcome,
                    reasons=[r.as_dict() for r in run.reasons],
                    checked_at=app.verified_at or app.submitted_at,  # type: ignore[misc]
                )
            )
        events.extend(_application_events(ctx, p, app))

    with _explicit_timestamps(Evidence, VerificationRun, ApplicationEvent):
        _bulk(Evidence, evidence)
        _bulk(VerificationRun, runs)
        _bulk(ApplicationEvent, events)


def _event(
    app: Application,
    at: Any,
    actor: User | None,
    action: str,
    before: str,
    after: str,
    reason: str = "",
) -> ApplicationEvent:
    return ApplicationEvent(
        application=app,
        occurred_at=at,
        actor=actor,
        actor_label=actor.username if actor else "system",
        action=action,
        from_status=before,
        to_status=after,
        reason=reason,
        notified_at=at,
    )


def _application_events(ctx: DemoContext, p: Person, app: Application) -> list[ApplicationEvent]:
    S = Application.Status
    A = ApplicationEvent.Action
    events = [_event(app, app.created_at, p.user, A.CREATE, "", S.DRAFT)]
    if app.status == S.DRAFT:
        return events
    submitted = p.submitted_at
    assert submitted is not None
    events.append(_event(app, submitted, p.user, A.SUBMIT, S.DRAFT, S.SUBMITTED))
    if app.status == S.SUBMITTED:
        return events
    events.append(
        _event(
            app,
            app.verified_at or submitted,
            None,
            A.VERIFY,
            S.SUBMITTED,
            S.IN_REVIEW,
            str(Application.Verification(app.verification).label),
        )
    )
    reviewer = app.decided_by or app.claimed_by
    if app.status == S.APPROVED:
        events.append(
            _event(
                app,
                app.decided_at,
                reviewer,
                A.APPROVE,
                S.IN_REVIEW,
                S.APPROVED,
                app.decision_reason,
            )
        )  # type: ignore[arg-type]
    elif app.status == S.REJECTED:
        events.append(
            _event(
                app,
                app.decided_at,
                reviewer,
                A.REJECT,
                S.IN_REVIEW,
                S.REJECTED,
                app.decision_reason,
            )
        )  # type: ignore[arg-type]
    elif app.status == S.INFO_REQUESTED:
        at = p.decided_at or submitted + dt.timedelta(days=1)
        operator = reviewer or app.claimed_by
        events.append(
            _event(
                app, at, operator, A.REQUEST_INFO, S.IN_REVIEW, S.INFO_REQUESTED, app.info_request
            )
        )
    elif app.status == S.WITHDRAWN:
        at = submitted + dt.timedelta(days=ctx.rng.randint(1, 5))
        events.append(
            _event(
                app,
                at,
                p.user,
                A.WITHDRAW,
                S.IN_REVIEW,
                S.WITHDRAWN,
                ctx.rng.choice(DECISION_REASONS["withdraw"]),
            )  # type: ignore[arg-type]
        )
    elif app.status == S.IN_REVIEW and app.claimed_by is not None:
        events.append(
            _event(app, app.claimed_at, app.claimed_by, A.CLAIM, S.IN_REVIEW, S.IN_REVIEW)
        )  # type: ignore[arg-type]
    return events


def _memberships(
    ctx: DemoContext,
    people: list[Person],
    programme: Programme,
    policy: rules.Policy,
    operators: list[User],
) -> None:
    today = ctx.today
    memberships: list[Membership] = []
    events: list[MembershipEvent] = []
    M = Membership.Status
    A = MembershipEvent.Action
    for p in people:
        app = p.application
        if app is None or app.status != Application.Status.APPROVED:
            continue
        decided = app.decided_at
        assert decided is not None
        starts = decided.astimezone(SEOUL).date()
        ends, due = policy.membership_dates(starts, programme.ends_on)
        m = Membership(
            user=p.user,
            programme=programme,
            status=M.ACTIVE,
            starts_on=starts,
            ends_on=ends,
            application=app,
            category=p.category,
            category_index=app.category_index,
            district_code=p.district,
            school_level=p.level,
            reverify_due_on=due,
            last_verified_on=starts,
            public_id=_uuid(ctx),
            created_at=decided,
            updated_at=decided,
        )
        timeline: list[tuple[Any, ...]] = [
            (decided, app.decided_by, A.START, "", M.ACTIVE, app.decision_reason, {})
        ]
        if due is not None and due <= today:
            roll = ctx.rng.random()
            if roll < 0.84:
                renewed = due - dt.timedelta(days=ctx.rng.randint(0, policy.reminder_days))
                renewed_at = _moment(renewed, ctx)
                timeline.append(
                    (
                        renewed_at - dt.timedelta(days=policy.reminder_days // 2),
                        None,
                        A.REMIND,
                        M.ACTIVE,
                        M.ACTIVE,
                        "",
                        {"due": due.isoformat()},
                    )
                )
                timeline.append(
                    (
                        renewed_at,
                        ctx.rng.choice(operators),
                        A.RENEW,
                        M.ACTIVE,
                        M.ACTIVE,
                        "자격 재확인 완료",
                        {},
                    )
                )
                m.last_verified_on = renewed
                m.reverify_due_on = policy.next_reverification(renewed, ends)
            else:
                grace_until = due + dt.timedelta(days=policy.grace_days)
                timeline.append(
                    (
                        _moment(due - dt.timedelta(days=policy.reminder_days), ctx),
                        None,
                        A.REMIND,
                        M.ACTIVE,
                        M.ACTIVE,
                        "",
                        {"due": due.isoformat()},
                    )
                )
                m.reminder_sent_for = due
                start_grace = _moment(due + dt.timedelta(days=1), ctx)
                timeline.append(
                    (
                        start_grace,
                        None,
                        A.GRACE,
                        M.ACTIVE,
                        M.GRACE,
                        "자격 재확인 기한이 지나 유예 기간이 시작되었습니다.",
                        {},
                    )
                )
                if grace_until < today:
                    m.status = M.EXPIRED
                    m.grace_until = grace_until
                    m.ended_at = _moment(grace_until + dt.timedelta(days=1), ctx)
                    m.end_reason = "유예 기간 안에 자격 재확인을 마치지 않았습니다."
                    timeline.append(
                        (m.ended_at, None, A.EXPIRE, M.GRACE, M.EXPIRED, m.end_reason, {})
                    )
                else:
                    m.status = M.GRACE
                    m.grace_until = grace_until
        elif due is not None and due - dt.timedelta(days=policy.reminder_days) <= today:
            m.reminder_sent_for = due
            timeline.append(
                (
                    _moment(due - dt.timedelta(days=policy.reminder_days), ctx),
                    None,
                    A.REMIND,
                    M.ACTIVE,
                    M.ACTIVE,
                    "",
                    {"due": due.isoformat()},
                )
            )
        if m.status in (M.ACTIVE, M.GRACE) and ctx.rng.random() < 0.015:
            revoked_on = starts + dt.timedelta(
                days=ctx.rng.randint(1, max(1, (today - starts).days))
            )
            at = _moment(min(revoked_on, today), ctx)
            reviewer = ctx.rng.choice(operators)
            previous = m.status
            m.status = M.REVOKED
            m.ended_at, m.ended_by = at, reviewer
            m.end_reason = ctx.rng.choice(DECISION_REASONS["revoke"])  # type: ignore[arg-type]
            timeline.append((at, reviewer, A.REVOKE, previous, M.REVOKED, m.end_reason, {}))
        timeline.sort(key=lambda item: item[0])
        for at, actor, action, before, after, reason, details in timeline:
            events.append(
                MembershipEvent(
                    membership=m,
                    occurred_at=at,
                    actor=actor,
                    actor_label=actor.username if actor else "system",
                    action=action,
                    from_status=before,
                    to_status=after,
                    reason=reason,
                    details=details,
                    notified_at=at,
                )
            )
        p.membership = m
        memberships.append(m)
    with _explicit_timestamps(Membership):
        _bulk(Membership, memberships, history=True)
    ids = dict(Membership.objects.filter(programme=programme).values_list("public_id", "id"))
    for m in memberships:
        m.pk = ids[m.public_id]
    with _explicit_timestamps(MembershipEvent):
        _bulk(MembershipEvent, events)


def _queue_pending(people: list[Person]) -> None:
    """Submitted applications wait for the worker to verify them, as after a real submit."""
    from seoullearn.eligibility.tasks import verify_application

    for p in people:
        if p.application is not None and p.application.status == Application.Status.SUBMITTED:
            verify_application.enqueue(str(p.application.public_id), 1)


def _logins(ctx: DemoContext, people: list[Person]) -> None:
    """Give a few applicants memorable usernames and print them."""
    wanted: list[tuple[str, str, Any]] = [
        (
            "learner_member",
            "active member (middle school)",
            lambda p: (
                p.membership is not None
                and p.membership.status == "active"
                and p.level == SchoolLevel.MIDDLE
                and p.age >= 14
            ),
        ),
        (
            "learner_child",
            "under 14, member; guardian consent verified",
            lambda p: (
                p.membership is not None
                and p.membership.status == "active"
                and p.guardian is not None
            ),
        ),
        (
            "learner_grace",
            "membership in grace: re-verify",
            lambda p: p.membership is not None and p.membership.status == "grace",
        ),
        (
            "learner_review",
            "application in review",
            lambda p: p.state == Application.Status.IN_REVIEW and p.age >= 14,
        ),
        (
            "learner_info",
            "more information requested",
            lambda p: p.state == Application.Status.INFO_REQUESTED and p.age >= 14,
        ),
        (
            "learner_draft",
            "draft application",
            lambda p: p.state == Application.Status.DRAFT and p.age >= 14,
        ),
        (
            "learner_rejected",
            "rejected application",
            lambda p: p.state == Application.Status.REJECTED and p.age >= 14,
        ),
    ]
    used: set[int] = set()
    for username, note, match in wanted:
        person = next((p for p in people if p.index not in used and match(p)), None)
        if person is None:
            continue
        used.add(person.index)
        User.objects.filter(pk=person.user.pk).update(
            username=username, email=f"{username}@demo.seoullearn.example"
        )
        person.user.username = username
        ctx.login(Role.LEARNER, username, note=note)
        if person.guardian is not None:
            guardian_name = "guardian_" + username.removeprefix("learner_")
            User.objects.filter(pk=person.guardian.pk).update(username=guardian_name)
            person.guardian.username = guardian_name
            ctx.login(Role.GUARDIAN, guardian_name, note=f"guardian of {username}")
