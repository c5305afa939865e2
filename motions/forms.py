"""Forms of the motions pages: they parse input; the services decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from governance.assemblies.forms import MemberNumberField
from governance.models import Assembly, Body, OrganisationUnit
from motions.models import Amendment, ICSubmission, Motion, MotionVersion, VotingMandate
from motions.services import IN_ROOM, ONLINE


class MotionForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Motion.Kind.choices)
    body = forms.ModelChoiceField(
        label=_("Deciding body"),
        queryset=Body.objects.filter(kind__in=[Body.Kind.ASSEMBLY, Body.Kind.BOARD]),
        to_field_name="code",
    )
    assembly = forms.ModelChoiceField(
        label=_("Meeting"),
        queryset=Assembly.objects.filter(
            status__in=[Assembly.Status.CONVENED, Assembly.Status.IN_SESSION]
        ).select_related("body"),
        required=False,
        help_text=_("The meeting the motion is for: its date sets the deadline."),
    )
    title = forms.CharField(label=_("Title"), max_length=300)
    text = forms.CharField(
        label=_("Text"),
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=_("Separate paragraphs with a blank line: amendments refer to them by number."),
    )

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            # Kind and deciding body are fixed once drafted.
            del self.fields["kind"]
            del self.fields["body"]

    @classmethod
    def initial_for(cls, version: MotionVersion, assembly) -> dict:
        return {
            "title": version.title,
            "text": version.text,
            "assembly": assembly,
        }


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class ReferForm(forms.Form):
    body = forms.ModelChoiceField(
        label=_("Refer to"), queryset=Body.objects.all(), to_field_name="code"
    )
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class VoteForm(forms.Form):
    mode = forms.ChoiceField(
        label=_("Vote"),
        choices=[
            (IN_ROOM, _("In the room (present members and proxies)")),
            (ONLINE, _("Online (all members entitled to vote)")),
        ],
    )
    closes_at = forms.DateTimeField(
        label=_("Closes at"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        help_text=_(
            "Required for an online vote; an in-room vote closes after 30 minutes unless closed earlier."
        ),
    )


class CompareForm(forms.Form):
    a = forms.IntegerField(label=_("From version"), min_value=1)
    b = forms.IntegerField(label=_("To version"), min_value=1)


class AmendmentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Amendment.Kind.choices)
    paragraph = forms.IntegerField(label=_("Paragraph"), min_value=1, required=False)
    text = forms.CharField(label=_("New text"), widget=forms.Textarea(attrs={"rows": 6}))
    rationale = forms.CharField(
        label=_("Rationale"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class ForwardForm(forms.Form):
    council = forms.ModelChoiceField(
        label=_("International Council"),
        queryset=OrganisationUnit.objects.filter(kind=OrganisationUnit.Kind.INTERNATIONAL_COUNCIL),
    )
    cosponsoring_sections = forms.CharField(
        label=_("Co-sponsoring sections"),
        required=False,
        help_text=_("One section per line."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    forwarded_on = forms.DateField(
        label=_("Forwarded on"), widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean_cosponsoring_sections(self):
        return [
            line.strip()
            for line in self.cleaned_data["cosponsoring_sections"].splitlines()
            if line.strip()
        ]


class ICOutcomeForm(forms.Form):
    outcome = forms.ChoiceField(label=_("IC outcome"), choices=ICSubmission.Outcome.choices)
    decided_on = forms.DateField(
        label=_("Decided by the IC on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    ic_reference = forms.CharField(label=_("IC reference"), max_length=60, required=False)
    text = forms.CharField(
        label=_("Text as adopted by the IC"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class FollowUpForm(forms.Form):
    noted_on = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    text = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 3}))


class MotionFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("All")), *Motion.Status.choices], required=False
    )
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("", _("All")), *Motion.Kind.choices], required=False
    )


class VotingMandateForm(forms.Form):
    ic_reference = forms.CharField(label=_("IC motion reference"), max_length=60)
    motion_title = forms.CharField(label=_("IC motion title"), max_length=300)
    submitted_by = forms.CharField(label=_("Submitted by (section)"), max_length=200)
    position = forms.ChoiceField(label=_("Voting position"), choices=VotingMandate.Position.choices)
    closes_at = forms.DateTimeField(
        label=_("The Board's vote closes at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )


class SpeakerForm(forms.Form):
    """The chair adds a member to the list of speakers, by membership number."""

    member = MemberNumberField(label=_("Membership number of the member asking to speak"))
