"""Forms: parse and validate input for the governance pages."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from governance.models import Assembly, Body, Decision, StatuteVersion

# Django's label for an empty choice (django.db.models.fields.BLANK_CHOICE_LABEL): Django's own
# Arabic catalog lacks it, so our catalogs (read first, LOCALE_PATHS) carry it for every language.
BLANK_CHOICE_LABEL = _("- Select an option -")


class MemberSearchForm(forms.Form):
    q = forms.CharField(label=_("Search by name, number or e-mail"), required=False, max_length=100)


class MemberImportForm(forms.Form):
    file = forms.FileField(
        label=_("Membership file (CSV, UTF-8)"),
        help_text=_(
            "Header row: membership_number, first_name, last_name, email, birth_date, joined_on, unit, "
            "and optionally kind and language (en, fr or ar; empty for the section's). Dates as "
            "2001-12-31."
        ),
    )

    MAX_BYTES = 20 * 1024 * 1024

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > self.MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 20 MB."))
        return upload


class DuesImportForm(MemberImportForm):
    file = forms.FileField(
        label=_("Dues file (CSV, UTF-8)"),
        help_text=_(
            "Header row: membership_number, year, amount, paid_on. One payment a line; "
            "dates as 2026-01-31, amounts as 100.00."
        ),
    )


class MemberLanguageForm(forms.Form):
    """The language the platform writes to a member in, as staff set it on the member's page."""

    language = forms.ChoiceField(
        label=_("Language of the platform's e-mails"),
        choices=[("", _("The section's language")), *settings.LANGUAGES],
        required=False,
    )


class DuesPaymentForm(forms.Form):
    """One year's dues, as staff record them from the member's page."""

    year = forms.IntegerField(label=_("Year"), min_value=1900, max_value=9999)
    amount = forms.DecimalField(label=_("Amount"), min_value=0, max_digits=8, decimal_places=2)
    paid_on = forms.DateField(
        label=_("Paid on"),
        widget=forms.DateInput(attrs={"type": "date"}),
        input_formats=["%Y-%m-%d"],
    )


class DecisionFilterForm(forms.Form):
    q = forms.CharField(label=_("Text"), required=False, max_length=100)
    body = forms.ModelChoiceField(
        label=_("Body"), queryset=Body.objects.all(), required=False, to_field_name="code"
    )
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=[("", "—"), *Decision.Outcome.choices], required=False
    )
    statute_version = forms.ModelChoiceField(
        label=_("Statute version"),
        queryset=StatuteVersion.objects.all(),
        required=False,
        to_field_name="number",
    )
    assembly = forms.ModelChoiceField(
        label=_("Assembly"),
        queryset=Assembly.objects.order_by("-starts_at"),
        required=False,
    )
    article = forms.CharField(label=_("Article"), required=False, max_length=20)
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", _("The end date is before the start date."))
        return data

    def register_filters(self) -> dict:
        """The cleaned filters as `DecisionQuerySet.filter_register` takes them (page and API)."""
        data = self.cleaned_data
        return {
            "body": data["body"],
            "assembly": data["assembly"],
            "outcome": data["outcome"],
            "statute_version": data["statute_version"],
            "article_number": data["article"],
            "date_from": data["date_from"],
            "date_to": data["date_to"],
            "text": data["q"],
        }


class AsOfForm(forms.Form):
    date = forms.DateField(
        label=_("Date"),
        widget=forms.DateInput(attrs={"type": "date"}),
        input_formats=["%Y-%m-%d"],
        help_text=_("As YYYY-MM-DD."),
    )


class StatuteDiffForm(forms.Form):
    old = forms.ModelChoiceField(
        label=_("From version"), queryset=StatuteVersion.objects.all(), to_field_name="number"
    )
    new = forms.ModelChoiceField(
        label=_("To version"), queryset=StatuteVersion.objects.all(), to_field_name="number"
    )


class InclusionProofForm(forms.Form):
    """An event of the audit log, and the tree size to prove it in (the head's by default)."""

    sequence = forms.IntegerField(
        label=_("Event (sequence number)"),
        min_value=1,
        help_text=_("The event's number in the audit log, from 1."),
    )
    tree_size = forms.IntegerField(
        label=_("Tree size"),
        min_value=1,
        required=False,
        help_text=_("The number of events of the tree to prove it in; the log's now if empty."),
    )


class ConsistencyProofForm(forms.Form):
    """Two tree sizes of the audit log: the earlier one and the later (the head's by default)."""

    first = forms.IntegerField(label=_("Earlier tree size"), min_value=1)
    second = forms.IntegerField(
        label=_("Later tree size"),
        min_value=1,
        required=False,
        help_text=_("The log's size now if empty."),
    )


class CheckpointForm(forms.Form):
    checkpoint = forms.CharField(
        label=_("Signed checkpoint"),
        help_text=_(
            "Paste a checkpoint as you received it (e-mail, minutes, export): its four lines, "
            "the blank line and the signature."
        ),
        widget=forms.Textarea(attrs={"rows": 8, "dir": "ltr", "spellcheck": "false"}),
        max_length=5000,
    )
