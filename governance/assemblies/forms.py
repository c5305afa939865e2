"""Forms of the assembly pages: parse what was typed; `governance.assemblies.services` decides."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from governance.models import Member

DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class MemberNumberField(forms.ModelChoiceField):
    """A member typed in by membership number (a text box, not a list of every member)."""

    default_error_messages = {"invalid_choice": _("No member has this membership number.")}

    def __init__(self, **kwargs):
        kwargs.setdefault(
            "widget",
            forms.TextInput(attrs={"autocomplete": "off", "dir": "ltr", "spellcheck": "false"}),
        )
        super().__init__(queryset=Member.objects.all(), to_field_name="membership_number", **kwargs)

    def clean(self, value):
        return super().clean(value.strip() if isinstance(value, str) else value)


class ConveneForm(forms.Form):
    """An officer convenes a meeting of a body they act for; `convene_assembly` checks the notice."""

    body = forms.ModelChoiceField(label=_("Body"), queryset=None)
    title = forms.CharField(label=_("Title"), max_length=200)
    starts_at = forms.DateTimeField(label=_("Starts at"), widget=DATETIME_WIDGET)
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    online_link = forms.URLField(label=_("Online link"), required=False)
    convocation = forms.TypedChoiceField(
        label=_("Convocation"),
        coerce=int,
        choices=[(1, _("First convocation")), (2, _("Second convocation"))],
        initial=1,
    )
    agenda = forms.CharField(
        label=_("Agenda"), required=False, widget=forms.Textarea(attrs={"rows": 5})
    )

    def __init__(self, *args, bodies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].queryset = bodies


class CancelAssemblyForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for cancelling"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )


class DoorSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Name or membership number"),
        max_length=100,
        required=False,
        widget=forms.SearchInput(
            attrs={"autocomplete": "off", "spellcheck": "false", "autofocus": True}
        ),
    )


class ProxyRegistrationForm(forms.Form):
    """The proxy a member hands in at the door: who gives it, who carries it."""

    giver = MemberNumberField(label=_("Membership number of the member giving the proxy"))
    holder = MemberNumberField(label=_("Membership number of the member carrying it"))


class RevokeProxyForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)


class OwnProxyForm(forms.Form):
    """The member gives their own proxy: to whom, by membership number."""

    holder = MemberNumberField(
        label=_("Membership number of the member who will vote for you"),
        help_text=_("Ask them for it: the roll is not open to members."),
    )
