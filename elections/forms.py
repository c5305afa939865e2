"""Forms of the voting pages: parse what people typed; the services decide whether it stands."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from elections import ballot_box
from elections.counting import papers as paper_format
from elections.models import Ballot
from governance import jsonsafe
from governance.models import Article, Assembly, Body, Member
from governance.statutes.text import scope_in_words

DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class MembershipNumberField(forms.ModelChoiceField):
    """A member typed in by membership number (a text box, not a list of every member)."""

    default_error_messages = {
        "invalid_choice": gettext_lazy("No member has this membership number."),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", forms.TextInput(attrs={"autocomplete": "off"}))
        super().__init__(queryset=Member.objects.all(), to_field_name="membership_number", **kwargs)


# ---------------------------------------------------------------------------
# Drafting a ballot
# ---------------------------------------------------------------------------


class BallotForm(forms.Form):
    """An officer drafts a ballot; `create_ballot` checks the statutes and the method."""

    body = forms.ModelChoiceField(label=gettext_lazy("Deciding body"), queryset=Body.objects.none())
    title = forms.CharField(label=gettext_lazy("Title"), max_length=300)
    question = forms.CharField(
        label=gettext_lazy("Question or text put to the vote"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=Ballot.Kind.choices)
    method = forms.ChoiceField(label=gettext_lazy("Counting method"), choices=Ballot.Method.choices)
    seats = forms.IntegerField(label=gettext_lazy("Seats"), min_value=1, max_value=100, initial=1)
    max_approvals = forms.IntegerField(
        label=gettext_lazy("Most approvals per paper"),
        min_value=1,
        required=False,
        help_text=gettext_lazy("Approval ballots only; leave empty for no limit."),
    )
    secret = forms.BooleanField(label=gettext_lazy("Secret ballot"), required=False, initial=True)
    electorate = forms.ChoiceField(
        label=gettext_lazy("Electorate"), choices=Ballot.Electorate.choices
    )
    rule_scope = forms.ChoiceField(
        label=gettext_lazy("Quorum and majority rules applied"),
        help_text=gettext_lazy("The scope of the statute rules the count applies."),
    )
    article = forms.ModelChoiceField(
        label=gettext_lazy("Authorising article"), queryset=Article.objects.none()
    )
    elects_body = forms.ModelChoiceField(
        label=gettext_lazy("Body whose seats are filled"),
        queryset=Body.objects.order_by("name"),
        required=False,
        help_text=gettext_lazy("Elections only: the term limits of that body apply to candidates."),
    )
    opens_at = forms.DateTimeField(label=gettext_lazy("Opens at"), widget=DATETIME_WIDGET)
    closes_at = forms.DateTimeField(label=gettext_lazy("Closes at"), widget=DATETIME_WIDGET)
    assembly = forms.ModelChoiceField(
        label=gettext_lazy("Meeting"),
        queryset=Assembly.objects.filter(
            status__in=[Assembly.Status.CONVENED, Assembly.Status.IN_SESSION]
        ).select_related("body"),
        required=False,
        help_text=gettext_lazy(
            "The meeting the vote belongs to; required for a vote in the room, whose electorate "
            "is the members present and their proxies."
        ),
    )
    convocation = forms.TypedChoiceField(
        label=gettext_lazy("Convocation"),
        coerce=int,
        choices=[(1, gettext_lazy("First convocation")), (2, gettext_lazy("Second convocation"))],
        initial=1,
    )

    def __init__(self, *args, bodies, articles, rule_scopes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].queryset = bodies
        self.fields["article"].queryset = articles
        self.fields["rule_scope"].choices = [
            (scope, scope_in_words(scope)) for scope in rule_scopes
        ]


# ---------------------------------------------------------------------------
# Voting: one form class per family of methods
# ---------------------------------------------------------------------------


class VoteForm(forms.Form):
    """Base of the voting forms. `paper()` gives what `cast_vote` takes for the method.

    Several voting forms share a page (the voter's own and one per proxy carried), so
    their element ids carry a `key`; the field names stay plain for the one view they post to.
    """

    def __init__(self, *args, ballot: Ballot, candidates, key: str = "self", **kwargs):
        kwargs.setdefault("auto_id", f"vote-{key}-%s")
        super().__init__(*args, **kwargs)
        self.ballot = ballot
        self.candidates = list(candidates)
        self.key = key

    def paper(self):
        raise NotImplementedError


class YesNoVoteForm(VoteForm):
    choice = forms.ChoiceField(
        label=gettext_lazy("Your vote"),
        widget=forms.RadioSelect,
        choices=[
            ("yes", gettext_lazy("Yes")),
            ("no", gettext_lazy("No")),
            ("abstain", gettext_lazy("Abstain")),
            ("blank", gettext_lazy("Blank paper")),
        ],
        error_messages={"required": gettext_lazy("Choose yes, no, abstain or blank.")},
    )

    def paper(self):
        return self.cleaned_data["choice"]


class MarkVoteForm(VoteForm):
    """Plurality and approval: tick up to the limit; ticking none is a blank paper."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.limit = paper_format.mark_limit(
            self.ballot.method, seats=self.ballot.seats, max_approvals=self.ballot.max_approvals
        )
        if self.limit:
            help_text = _("Mark at most %(limit)s. Marking none leaves a blank paper.") % {
                "limit": self.limit
            }
        else:
            help_text = _("Mark as many as you approve of. Marking none leaves a blank paper.")
        self.fields["choices"] = forms.MultipleChoiceField(
            label=_("Candidates"),
            widget=forms.CheckboxSelectMultiple,
            choices=[(c.code, c.name) for c in self.candidates],
            required=False,
            help_text=help_text,
        )

    def paper(self):
        return list(self.cleaned_data["choices"])


def ordinal_label(position: int) -> str:
    if position == 1:
        return _("Preference 1 (your first choice)")
    return _("Preference %(position)s") % {"position": position}


class RankingVoteForm(VoteForm):
    """Ranked methods: one labelled list per preference, so no dragging is needed.

    Preferences are filled from the first; later ones may stay empty. A gap (a later
    preference after an empty one) or a candidate chosen twice is refused here, naming
    the preferences at fault, before anything is written.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        options = [
            ("", _("— no further preference —")),
            *((c.code, c.name) for c in self.candidates),
        ]
        for position in range(1, len(self.candidates) + 1):
            self.fields[f"preference_{position}"] = forms.ChoiceField(
                label=ordinal_label(position), choices=options, required=False
            )

    def preference_fields(self):
        return [self[f"preference_{n}"] for n in range(1, len(self.candidates) + 1)]

    def clean(self):
        data = super().clean()
        names = {c.code: c.name for c in self.candidates}
        ranking: list[str] = []
        first_empty = None
        seen: dict[str, int] = {}
        for position in range(1, len(self.candidates) + 1):
            field = f"preference_{position}"
            code = data.get(field, "")
            if not code:
                first_empty = first_empty or position
                continue
            if first_empty is not None:
                self.add_error(
                    field,
                    _(
                        "Preference %(later)s is filled but preference %(earlier)s is empty: "
                        "fill the preferences in order, without gaps."
                    )
                    % {"later": position, "earlier": first_empty},
                )
                continue
            if code in seen:
                self.add_error(
                    field,
                    _("%(name)s is already your preference %(earlier)s: rank each candidate once.")
                    % {"name": names.get(code, code), "earlier": seen[code]},
                )
                continue
            seen[code] = position
            ranking.append(code)
        data["ranking"] = ranking
        return data

    def paper(self):
        return list(self.cleaned_data["ranking"])


def vote_form_class(ballot: Ballot) -> type[VoteForm]:
    if ballot.yes_no:
        return YesNoVoteForm
    if ballot.ranked:
        return RankingVoteForm
    return MarkVoteForm


# ---------------------------------------------------------------------------
# Candidates and proxies
# ---------------------------------------------------------------------------


class NominationForm(forms.Form):
    """Nominate yourself, another member by number, or (officers) add a named option."""

    myself = forms.BooleanField(label=gettext_lazy("I stand myself"), required=False)
    member = MembershipNumberField(
        label=gettext_lazy("Or nominate a member (membership number)"), required=False
    )
    name = forms.CharField(
        label=gettext_lazy("Or add an option that is not a person (officers)"),
        max_length=200,
        required=False,
    )
    statement = forms.CharField(
        label=gettext_lazy("Statement"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
    )

    def __init__(self, *args, options: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not options:  # only the body's officers add an option that is not a person
            del self.fields["name"]

    def clean(self):
        data = super().clean()
        given = [bool(data.get("myself")), bool(data.get("member")), bool(data.get("name"))]
        if sum(given) != 1 and not self.errors:
            raise forms.ValidationError(
                _("Choose one: stand yourself, give a membership number, or name an option.")
                if "name" in self.fields
                else _("Choose one: stand yourself or give a membership number.")
            )
        return data


class ProxyForm(forms.Form):
    holder = MembershipNumberField(
        label=gettext_lazy("Membership number of the member who will vote for you")
    )


# ---------------------------------------------------------------------------
# The officers' console
# ---------------------------------------------------------------------------


class PaperCountForm(forms.Form):
    """A teller's batch: one line per distinct paper, a comma, then how many there were.

    ``yes,30`` for a question; ``c1 c3,12`` for the candidates marked or ranked (in order
    of preference); ``,4`` for blank papers of an election.
    """

    label = forms.CharField(
        label=gettext_lazy("Batch"),
        max_length=100,
        help_text=gettext_lazy("Name the room, box or table the papers come from."),
    )
    lines = forms.CharField(
        label=gettext_lazy("Papers counted"),
        widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "false", "dir": "ltr"}),
    )

    def __init__(self, *args, ballot: Ballot, codes, **kwargs):
        super().__init__(*args, **kwargs)
        self.ballot = ballot
        self.codes = set(codes)
        if ballot.yes_no:
            self.fields["lines"].help_text = _(
                "One line per answer: yes, no, abstain or blank, a comma, and the number of papers."
                " Example: yes,30"
            )
        else:
            self.fields["lines"].help_text = _(
                "One line per distinct paper: the candidate codes (in order of preference for"
                " a ranked ballot) separated by spaces, a comma, and the number of such papers."
                " Example: c2 c1,12"
            )

    def clean_lines(self):
        groups = []
        for number, raw in enumerate(self.cleaned_data["lines"].splitlines(), start=1):
            line = raw.strip()
            if not line:
                continue
            paper, comma, count = line.rpartition(",")
            if not comma:
                raise forms.ValidationError(
                    _("Line %(line)s: write the paper, a comma, then the number of papers.")
                    % {"line": number}
                )
            try:
                papers = int(count.strip())
            except ValueError:
                raise forms.ValidationError(
                    _("Line %(line)s: the number of papers must be a whole number.")
                    % {"line": number}
                ) from None
            if self.ballot.yes_no:
                groups.append([paper.strip().lower(), papers])
                continue
            codes = paper.split()
            unknown = [code for code in codes if code not in self.codes]
            if unknown:
                raise forms.ValidationError(
                    _("Line %(line)s: %(code)s is not the code of a candidate standing.")
                    % {"line": number, "code": unknown[0]}
                )
            groups.append([codes, papers])
        if not groups:
            raise forms.ValidationError(_("The batch is empty."))
        return groups


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason for cancelling"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
    )


class SetAsideForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Why the batch is withdrawn or rejected"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
    )


class ReceiptCheckForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Receipt code"),
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "dir": "ltr"}),
    )


# ---------------------------------------------------------------------------
# Trustees
# ---------------------------------------------------------------------------

#: A trustee's file is JSON: transport key, dealing, share key or decryption shares. The
#: shares of a large mixed election are the largest (a factor and a proof per ciphertext).
TRUSTEE_FILE_LIMIT = 64 * 1024 * 1024


def parse_trustee_file(raw: bytes):
    """The JSON object in an uploaded trustee's file, or a form error naming what is wrong."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise forms.ValidationError(
            _("This file is not UTF-8 text: upload the file the trustees' tool wrote.")
        ) from None
    try:
        # Bounded in depth: a hostile file nested thousands deep is a form error, not a
        # RecursionError (a server error).
        data = jsonsafe.loads(text)
    except ValueError:
        raise forms.ValidationError(
            _("This file is not JSON: upload the file the trustees' tool wrote.")
        ) from None
    if not isinstance(data, dict):
        raise forms.ValidationError(_("This is not a file written by the trustees' tool."))
    return data


class TrusteeUploadForm(forms.Form):
    """One public file written by `python -m elections.trustee` (never the private one)."""

    file = forms.FileField(
        label=gettext_lazy("File written by the trustees' tool"),
        help_text=gettext_lazy(
            "Upload only the public file the step wrote, never your private file."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": "application/json,.json"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > TRUSTEE_FILE_LIMIT:
            raise forms.ValidationError(_("This file is too large for a trustee's file."))
        data = parse_trustee_file(upload.read())
        if "secret" in data or "transport" in data:
            # ME.json: the private file. Refused before anything reads it further.
            raise forms.ValidationError(
                _(
                    "This is your private file: keep it on your own machine and upload the public file the step wrote."
                )
            )
        return data


def members_by_number(numbers: list[str]) -> list[Member]:
    """The members typed in, in the order typed (a number twice stays twice, for the service
    to refuse); a ValidationError naming the numbers no member has. One query."""
    found = Member.objects.in_bulk(numbers, field_name="membership_number")
    unknown = [n for n in numbers if n not in found]
    if unknown:
        raise forms.ValidationError(
            _("No member has the membership number %(numbers)s.")
            % {"numbers": ", ".join(dict.fromkeys(unknown))}
        )
    return [found[n] for n in numbers]


class TrusteesForm(forms.Form):
    """Officers name a secret ballot's trustees by membership number, and the threshold k
    (`ballot_box.appoint_trustees` decides whether the choice stands)."""

    members = forms.CharField(
        label=gettext_lazy("Membership numbers of the trustees"),
        help_text=gettext_lazy("One a line, or separated by commas or spaces."),
        widget=forms.Textarea(attrs={"rows": 4, "dir": "ltr", "autocomplete": "off"}),
        max_length=2000,
    )
    threshold = forms.IntegerField(
        label=gettext_lazy("Trustees needed to decrypt the count (k)"),
        min_value=1,
        max_value=ballot_box.MAX_TRUSTEES,
    )
    demo = forms.BooleanField(
        label=gettext_lazy(
            "Demonstration trustees: the platform holds their keys (a demonstration only)"
        ),
        required=False,
    )

    def __init__(self, *args, demo_allowed: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not demo_allowed:
            del self.fields["demo"]

    def clean_members(self):
        numbers = [n for n in self.cleaned_data["members"].replace(",", " ").split() if n]
        if not numbers:
            raise forms.ValidationError(_("Name at least one trustee."))
        if len(numbers) > ballot_box.MAX_TRUSTEES:
            raise forms.ValidationError(
                _("A ballot has at most %(limit)s trustees.") % {"limit": ballot_box.MAX_TRUSTEES}
            )
        return members_by_number(numbers)
