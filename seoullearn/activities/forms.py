from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from seoullearn.activities.models import (
    CareerCohort,
    CareerStage,
    ConsultantSlot,
    ConsultingService,
    SpecialLecture,
)

WEEKDAY_CHOICES = [
    (0, _("월")),
    (1, _("화")),
    (2, _("수")),
    (3, _("목")),
    (4, _("금")),
    (5, _("토")),
    (6, _("일")),
]


class BookingForm(forms.Form):
    service = forms.ChoiceField(label=_("상담 종류"))
    topic = forms.CharField(
        label=_("상담하고 싶은 내용"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, services: list[ConsultingService], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["service"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(str(s.public_id), s.name) for s in services]


class SurveyForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("만족도"),
        coerce=int,
        choices=[
            (5, _("매우 만족")),
            (4, _("만족")),
            (3, _("보통")),
            (2, _("불만족")),
            (1, _("매우 불만족")),
        ],
        widget=forms.RadioSelect,
    )
    helpful = forms.BooleanField(label=_("도움이 되었어요"), required=False, initial=True)
    comment = forms.CharField(
        label=_("의견"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class SlotForm(forms.Form):
    track = forms.ChoiceField(label=_("분야"), choices=ConsultingService.Track.choices)
    starts_at = forms.DateTimeField(
        label=_("시작"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    duration_minutes = forms.IntegerField(
        label=_("시간(분)"), min_value=15, max_value=240, initial=50
    )
    mode = forms.ChoiceField(label=_("방식"), choices=ConsultantSlot.Mode.choices)
    location = forms.CharField(label=_("장소 또는 접속 안내"), max_length=200, required=False)


class SchedulePatternForm(forms.Form):
    track = forms.ChoiceField(label=_("분야"), choices=ConsultingService.Track.choices)
    first_day = forms.DateField(label=_("시작일"), widget=forms.DateInput(attrs={"type": "date"}))
    last_day = forms.DateField(label=_("종료일"), widget=forms.DateInput(attrs={"type": "date"}))
    weekdays = forms.TypedMultipleChoiceField(
        label=_("요일"), choices=WEEKDAY_CHOICES, coerce=int, widget=forms.CheckboxSelectMultiple
    )
    times = forms.CharField(label=_("시작 시각 (쉼표로 구분, 예: 16:00, 17:00)"), max_length=200)
    duration_minutes = forms.IntegerField(
        label=_("시간(분)"), min_value=15, max_value=240, initial=50
    )
    mode = forms.ChoiceField(label=_("방식"), choices=ConsultantSlot.Mode.choices)
    location = forms.CharField(label=_("장소 또는 접속 안내"), max_length=200, required=False)

    def clean_times(self) -> list[dt.time]:
        raw = self.cleaned_data["times"]
        times = []
        for part in raw.split(","):
            part = part.strip()
            if not part:
                continue
            try:
                times.append(dt.time.fromisoformat(part))
            except ValueError as exc:
                raise forms.ValidationError(
                    _("'%(t)s'은(는) 시각이 아닙니다. 16:00처럼 적어 주세요."), params={"t": part}
                ) from exc
        if not times:
            raise forms.ValidationError(_("시각을 하나 이상 적어 주세요."))
        return times


class SessionRecordForm(forms.Form):
    consultant_note = forms.CharField(
        label=_("상담 기록 (컨설턴트와 운영자만 봅니다)"),
        max_length=10000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    shared_summary = forms.CharField(
        label=_("학습자에게 공유할 요약"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ApplicationForm(forms.Form):
    motivation = forms.CharField(
        label=_("지원 동기"),
        min_length=10,
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )


class DeliverableForm(forms.Form):
    stage = forms.ChoiceField(label=_("단계"), choices=CareerStage.choices)
    title = forms.CharField(label=_("제목"), max_length=200)
    file = forms.FileField(label=_("파일 (PDF, JPEG, PNG)"))


class CheckInForm(forms.Form):
    code = forms.CharField(label=_("출석 코드"), max_length=12)


class LectureSurveyForm(forms.Form):
    rating = SurveyForm.base_fields["rating"]
    comment = SurveyForm.base_fields["comment"]


class CohortForm(forms.ModelForm):
    class Meta:
        model = CareerCohort
        fields = [
            "name",
            "track",
            "description",
            "capacity",
            "applications_open_on",
            "applications_close_on",
            "starts_on",
            "ends_on",
        ]
        widgets = {
            "applications_open_on": forms.DateInput(attrs={"type": "date"}),
            "applications_close_on": forms.DateInput(attrs={"type": "date"}),
            "starts_on": forms.DateInput(attrs={"type": "date"}),
            "ends_on": forms.DateInput(attrs={"type": "date"}),
        }


class LectureForm(forms.ModelForm):
    class Meta:
        model = SpecialLecture
        fields = [
            "sequence",
            "title",
            "speaker",
            "description",
            "starts_at",
            "duration_minutes",
            "platform",
            "stream_url",
            "replay_url",
            "capacity",
            "checkin_code",
        ]
        widgets = {"starts_at": forms.DateTimeInput(attrs={"type": "datetime-local"})}


class VisitForm(forms.Form):
    company_name = forms.CharField(label=_("기업명"), max_length=100)
    visit_at = forms.DateTimeField(
        label=_("방문 일시"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    duration_minutes = forms.IntegerField(
        label=_("시간(분)"), min_value=30, max_value=600, initial=180
    )
    address = forms.CharField(label=_("주소"), max_length=200)
    capacity = forms.IntegerField(label=_("정원"), min_value=1, max_value=500)
    note = forms.CharField(
        label=_("안내"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class TeamForm(forms.Form):
    name = forms.CharField(label=_("팀 이름"), max_length=100)
    topic = forms.CharField(label=_("프로젝트 주제"), max_length=200, required=False)
