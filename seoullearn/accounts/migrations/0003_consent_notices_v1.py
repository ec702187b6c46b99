"""Version 1 of every consent notice, in Korean and English.

Later versions are added by new data migrations (or by operators in the admin); an existing
version is never edited, because consent records point at the text that was shown.
"""

import datetime as dt

from django.db import migrations

EFFECTIVE_FROM = dt.date(2022, 1, 1)

NOTICES = [
    {
        "kind": "terms",
        "required": True,
        "title_ko": "서울런 이용약관",
        "title_en": "Seoul Learn terms of use",
        "body_ko": """제1조(목적) 이 약관은 서울특별시(이하 "시")가 운영하는 서울런 플랫폼(이하 "플랫폼")의 이용 조건과 절차, 이용자와 시의 권리·의무를 정합니다.

제2조(서비스) 플랫폼은 서울런 회원 신청과 자격 확인, 온라인 교육 콘텐츠 이용 연계, 대학생 멘토링, 학습·진로 컨설팅, 진로 프로그램과 특강, 학습 계획과 포트폴리오 관리를 무료로 제공합니다.

제3조(회원 가입) 학습자, 보호자, 대학생 멘토는 스스로 가입할 수 있습니다. 운영자·감사자·컨설턴트·교육업체 담당자·대학 담당자 계정은 운영자가 만듭니다. 한 계정은 하나의 역할만 가집니다. 만 14세 미만 학습자는 법정대리인(보호자)의 동의를 받아야 회원 신청을 제출할 수 있습니다.

제4조(이용자의 의무) 이용자는 본인의 정확한 정보를 입력하고, 계정과 비밀번호를 다른 사람과 공유하지 않으며, 제공받은 교육업체 계정을 양도하거나 판매하지 않습니다. 거짓 정보나 서류로 신청한 경우 자격이 취소될 수 있습니다.

제5조(서비스의 변경·중단) 시는 사업 예산과 정책에 따라 제공 콘텐츠와 지원 범위를 바꿀 수 있으며, 바꾸기 전에 플랫폼에 알립니다.

제6조(탈퇴와 자격 상실) 이용자는 언제든지 동의를 철회하거나 탈퇴를 요청할 수 있습니다. 탈퇴하면 교육업체 이용권도 회수됩니다.

제7조(분쟁 해결) 이 약관에 관한 분쟁은 대한민국 법률에 따르며, 서울특별시 평생교육국에 먼저 문의할 수 있습니다.""",
        "body_en": """Article 1 (Purpose) These terms set the conditions and procedures for using the Seoul Learn platform (the "Platform") run by the Seoul Metropolitan Government (the "City"), and the rights and duties of users and the City.

Article 2 (Services) The Platform provides, free of charge: applying for Seoul Learn membership and eligibility checks, access to online learning content from partner providers, university-student mentoring, study and admissions consulting, career programmes and special lectures, and a learning plan and portfolio.

Article 3 (Accounts) Learners, guardians and university-student mentors may sign up themselves. Operator, auditor, consultant, provider staff and university coordinator accounts are created by operators. Each account has exactly one role. A learner under 14 can submit a membership application only with the consent of a legal guardian.

Article 4 (Users' duties) Users enter accurate information about themselves, do not share their account or password, and do not transfer or sell the provider accounts they receive. Membership obtained with false information or documents may be revoked.

Article 5 (Changes to the service) The City may change the content on offer and the scope of support according to the programme's budget and policy, and announces changes on the Platform in advance.

Article 6 (Leaving) Users may withdraw consent or ask to close their account at any time. Closing the account also returns the provider seats.

Article 7 (Disputes) These terms are governed by the laws of the Republic of Korea. Users may first contact the Seoul Metropolitan Government Lifelong Education Bureau.""",
    },
    {
        "kind": "privacy",
        "required": True,
        "title_ko": "개인정보 수집·이용 동의",
        "title_en": "Consent to the collection and use of personal data",
        "body_ko": """서울특별시는 「개인정보 보호법」 제15조에 따라 다음과 같이 개인정보를 수집·이용합니다.

1. 수집 항목: 아이디, 이름, 생년월일, 이메일, 휴대전화 번호(선택), 역할, 학교급·학년·학교명, 거주 자치구, 접속 기록(IP 주소, 접속 일시).
2. 수집·이용 목적: 회원 식별과 본인 확인, 서울런 회원 자격 확인과 신청 처리, 교육 콘텐츠·멘토링·컨설팅 제공, 공지와 안내 발송, 부정 이용 방지.
3. 보유·이용 기간: 회원 탈퇴 시 또는 서울런 회원 자격이 끝난 날부터 3년이 지나면 지체 없이 파기합니다. 다른 법령이 따로 보관을 정한 경우 그 기간 동안 보관합니다. 개인정보 열람 기록(접속 기록)은 2년간 보관합니다.
4. 주민등록번호는 수집하지 않습니다. 자격 확인에 필요한 경우에도 주민등록번호가 가려진 서류만 받습니다.
5. 휴대전화 번호와 주소 등 연락처는 암호화하여 저장합니다.
6. 동의를 거부할 권리와 불이익: 이 동의는 서비스 제공에 꼭 필요하므로, 동의하지 않으면 회원 가입과 서울런 신청을 할 수 없습니다.""",
        "body_en": """Under article 15 of the Personal Information Protection Act (PIPA), the Seoul Metropolitan Government collects and uses personal data as follows.

1. Data collected: username, name, date of birth, e-mail address, mobile number (optional), role, school level, grade and school name, district of residence, access records (IP address, time of access).
2. Purposes: identifying members, checking Seoul Learn eligibility and processing applications, providing learning content, mentoring and consulting, sending notices, preventing misuse.
3. Retention: deleted without delay when the account is closed or three years after Seoul Learn membership ends, unless another law requires longer retention. The log of who viewed personal data is kept for two years.
4. No resident registration number is collected. Where an eligibility document is needed, only copies with the resident registration number masked are accepted.
5. Contact data such as the mobile number and address is stored encrypted.
6. Right to refuse: this consent is necessary to provide the service; without it you cannot sign up or apply for Seoul Learn.""",
    },
    {
        "kind": "sensitive",
        "required": True,
        "title_ko": "민감정보(복지 자격) 처리 동의",
        "title_en": "Consent to processing sensitive data: welfare eligibility",
        "body_ko": """서울런 회원 자격을 확인하려면 「개인정보 보호법」 제23조에 따라 별도의 동의를 받아 다음 정보를 처리합니다.

1. 처리 항목: 지원 대상 유형(국민기초생활보장 수급자, 차상위계층, 법정 한부모가족, 학교 밖 청소년, 다문화가족, 북한이탈주민), 이를 증명하는 서류(수급자 증명서, 한부모가족 증명서 등)와 복지 자격 조회 결과.
2. 목적: 서울런 지원 대상인지 확인하고 정기적으로 자격을 다시 확인하기 위함입니다.
3. 보호 조치: 이 정보와 서류는 암호화하여 저장하고, 권한이 있는 운영자만 열람하며, 누가 언제 무엇을 왜 열람했는지 모두 기록합니다. 교육업체와 멘토에게는 제공하지 않습니다.
4. 보유 기간: 회원 자격이 끝난 날부터 3년, 신청이 승인되지 않은 경우 처리 완료일부터 1년이 지나면 파기합니다.
5. 동의를 거부할 수 있으나, 거부하면 자격 확인이 필요한 서울런 신청을 할 수 없습니다.""",
        "body_en": """To check Seoul Learn eligibility, the following data is processed with separate consent under article 23 of PIPA.

1. Data: the support category (basic livelihood recipient, near-poor, legal single-parent family, out-of-school youth, multicultural family, North Korean defector family), documents proving it (recipient certificate, single-parent family certificate, etc.) and the result of welfare-eligibility checks.
2. Purpose: to check whether you are eligible for Seoul Learn and to re-check eligibility periodically.
3. Safeguards: this data and the documents are stored encrypted, only authorised operators can view them, and every view is logged with who, when, what and why. It is never given to content providers or mentors.
4. Retention: deleted three years after membership ends, or one year after a decision if the application was not approved.
5. You may refuse, but without this consent an application that needs an eligibility check cannot be made.""",
    },
    {
        "kind": "learning_data",
        "required": False,
        "title_ko": "학습 데이터 활용 동의",
        "title_en": "Consent to the use of learning data",
        "body_ko": """1. 수집 항목: 교육업체가 보내는 학습 기록(강의 수강, 진도, 학습 시간, 평가 결과), 플랫폼의 학습 계획·목표·포트폴리오, 멘토링·컨설팅 참여 기록.
2. 목적: 나에게 맞는 학습 계획과 콘텐츠·멘토 추천, 학습이 멈춘 학습자에게 도움 안내, 사업 효과 분석(소득 계층 간 학습 격차 변화 등 통계).
3. 통계와 분석에는 이름과 연락처를 쓰지 않고 가명 식별자만 씁니다.
4. 보유 기간: 회원 자격이 끝난 날부터 3년.
5. 동의하지 않거나 철회해도 서울런 콘텐츠는 이용할 수 있습니다. 다만 맞춤 추천과 학습 분석은 제공되지 않으며, 철회한 뒤에는 새 학습 기록을 분석에 쓰지 않습니다.""",
        "body_en": """1. Data: learning records sent by providers (lectures taken, progress, study time, assessment results), the learning plan, goals and portfolio kept on the Platform, and participation in mentoring and consulting.
2. Purposes: a learning plan and content and mentor recommendations that fit you, reaching out when your learning stalls, and evaluating the programme (statistics such as the change in the learning gap between income groups).
3. Statistics and analysis use a pseudonymous identifier only, never your name or contact data.
4. Retention: three years after membership ends.
5. You can use Seoul Learn content without this consent or after withdrawing it; you will then get no personalised recommendations or learning analysis, and new learning records are no longer used for analysis.""",
    },
    {
        "kind": "provider_sharing",
        "required": True,
        "title_ko": "교육업체 가명정보 제공 동의",
        "title_en": "Consent to sharing pseudonymous data with content providers",
        "body_ko": """1. 제공받는 자: 학습자가 선택한 서울런 협약 교육업체(선택한 업체에만 제공).
2. 제공 항목: 가명 식별자(이름·연락처·생년월일 대신 쓰는 임의의 번호), 학교급과 학년, 이용 기간.
3. 목적: 선택한 교육업체의 수강 계정 발급, 통합 로그인(SSO), 학습 기록 회신.
4. 보유 기간: 이용 기간이 끝나거나 업체 선택을 바꾸면 교육업체는 계정을 회수하고 1년 안에 파기합니다.
5. 이름, 연락처, 복지 자격 정보는 교육업체에 제공하지 않습니다.
6. 동의를 거부하거나 철회하면 교육업체 콘텐츠를 이용할 수 없고, 이미 발급된 이용권은 회수됩니다.""",
        "body_en": """1. Recipients: the Seoul Learn partner content providers the learner selects (only those selected).
2. Data shared: a pseudonymous identifier (a random number used instead of your name, contact data and date of birth), school level and grade, and the term of use.
3. Purposes: creating your account at the selected provider, single sign-on, and the provider's reports of learning records.
4. Retention: when the term ends or you change providers, the provider closes the account and deletes the data within one year.
5. Your name, contact data and welfare eligibility are never given to providers.
6. Without this consent, or after withdrawing it, you cannot use provider content and the seats already issued are returned.""",
    },
    {
        "kind": "guardian",
        "required": True,
        "title_ko": "법정대리인(보호자) 동의",
        "title_en": "Consent of the legal guardian",
        "body_ko": """「개인정보 보호법」 제22조의2에 따라 만 14세 미만 아동의 개인정보를 처리하려면 법정대리인의 동의가 필요합니다.

1. 나는 아래 아동의 법정대리인(부모, 후견인 등)이며, 아동이 서울런 회원으로 신청하고 플랫폼을 이용하는 것에 동의합니다.
2. 아동의 이용약관, 개인정보 수집·이용, 민감정보(복지 자격) 처리, 교육업체 가명정보 제공, 학습 데이터 활용 고지를 읽었으며, 함께 표시한 항목에 아동을 대신하여 동의합니다.
3. 보호자 확인: 아동이 적은 보호자 휴대전화로 보낸 동의 링크와 인증번호로 확인합니다. 동의 확인을 위해 보호자의 이름, 아동과의 관계, 휴대전화 번호를 수집하고 아동의 회원 자격이 끝난 날부터 3년간 보관합니다.
4. 보호자는 아동의 동의 현황과 학습 진행을 볼 수 있으며, 언제든지 동의를 철회할 수 있습니다. 철회하면 아동의 신청을 제출할 수 없고, 학습 데이터 활용과 교육업체 제공이 중단됩니다.""",
        "body_en": """Under article 22-2 of PIPA, processing the personal data of a child under 14 needs the consent of a legal guardian.

1. I am the legal guardian (parent, appointed guardian, etc.) of the child named below and I agree that the child applies for Seoul Learn membership and uses the Platform.
2. I have read the child's notices (terms of use, collection and use of personal data, sensitive welfare data, pseudonymous sharing with providers, use of learning data) and consent on the child's behalf to the items I ticked.
3. How the guardian is verified: by the consent link and code sent to the guardian's mobile number that the child gave. To verify consent, the guardian's name, relationship to the child and mobile number are collected and kept for three years after the child's membership ends.
4. The guardian can see the child's consents and learning progress and can withdraw consent at any time. After withdrawal the child's application cannot be submitted, and learning-data use and sharing with providers stop.""",
    },
]


def add_notices(apps, schema_editor):
    ConsentNotice = apps.get_model("accounts", "ConsentNotice")
    for notice in NOTICES:
        ConsentNotice.objects.get_or_create(
            kind=notice["kind"],
            version="1",
            defaults={**notice, "effective_from": EFFECTIVE_FROM},
        )


def remove_notices(apps, schema_editor):
    ConsentNotice = apps.get_model("accounts", "ConsentNotice")
    ConsentNotice.objects.filter(version="1", records__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_consentnotice_consentrecord_guardianlink")]

    operations = [migrations.RunPython(add_notices, remove_notices)]
