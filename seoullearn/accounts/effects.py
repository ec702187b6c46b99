"""What giving and withdrawing each kind of consent means, in words shown to people."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from seoullearn.accounts.models import ConsentNotice

Kind = ConsentNotice.Kind

WITHDRAWAL_EFFECTS: dict[str, Promise] = {
    Kind.TERMS: _(
        "서비스 이용 계약이 끝납니다. 서울런 신청과 콘텐츠 이용을 더 이상 할 수 없으며, "
        "운영자가 계정 정리를 안내합니다."
    ),
    Kind.PRIVACY: _(
        "개인정보를 처리할 수 없게 되어 서울런 신청과 이용이 중단됩니다. 법령상 보관 의무가 "
        "있는 기록만 보관 기간 동안 남습니다."
    ),
    Kind.SENSITIVE: _(
        "복지 자격 정보를 더 이상 처리하지 않습니다. 자격 확인과 재확인을 할 수 없어 "
        "소득 기준 신청은 진행되지 않습니다."
    ),
    Kind.LEARNING_DATA: _(
        "새 학습 기록을 분석과 맞춤 추천에 쓰지 않습니다. 콘텐츠 이용은 계속할 수 있습니다."
    ),
    Kind.PROVIDER_SHARING: _(
        "교육업체에 더 이상 정보를 제공하지 않고, 발급된 교육업체 이용권은 회수됩니다."
    ),
    Kind.GUARDIAN: _(
        "만 14세 미만 학습자의 신청을 제출할 수 없게 되고, 학습 데이터 활용과 교육업체 "
        "제공이 중단됩니다."
    ),
}
