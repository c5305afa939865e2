"""The forms a statute amendment is drafted with: pick an article, edit its text and its
rules' parameters in fields that fit each rule kind, add or repeal articles. Nobody types
JSON: `ArticleChangeForm.change()` builds the change `motions.statute_changes` validates,
and each rule's parameters go through `governance.statutes.rules.parse_rule` first."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from governance.services import ArticleSpec, RuleSpec
from governance.statutes import rules
from governance.statutes.text import rule_error_in_words

FRACTION = re.compile(r"^\s*\d+\s*/\s*[1-9]\d*\s*$")

#: Whom a rule applies to, in words (a rule's scope).
SCOPE_LABELS = {
    "assembly": _("the General Assembly"),
    "board": _("the Board"),
    "committee": _("committees"),
    "statute_amendment": _("statute amendments"),
    "motion": _("motions"),
    "ic_motion": _("motions to the International Council"),
    "amendment": _("amendments"),
    "ballot": _("ballots"),
    "election": _("elections"),
}

KIND_LABELS = {
    "quorum": _("Quorum"),
    "majority": _("Majority"),
    "eligibility": _("Eligibility to vote"),
    "notice": _("Notice"),
    "terms": _("Terms of office"),
    "proxies": _("Proxies"),
    "sponsorship": _("Co-sponsors"),
    "trustees": _("Trustees of secret ballots"),
}


class FractionField(forms.CharField):
    """A share such as 1/4 or 2/3, typed as a person writes it."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 20)
        kwargs.setdefault(
            "widget", forms.TextInput(attrs={"dir": "ltr", "inputmode": "text", "size": 6})
        )
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        if value and not FRACTION.match(value):
            raise forms.ValidationError(_("Write a fraction such as 1/4 or 2/3."))
        return value.replace(" ", "") if value else None


def _whole(label, *, minimum: int = 0, required: bool = True, help_text: str = ""):
    return forms.IntegerField(
        label=label, min_value=minimum, max_value=10_000, required=required, help_text=help_text
    )


def _yes(label):
    return forms.BooleanField(label=label, required=False)


def _fields_for(kind: str) -> dict[str, forms.Field]:
    """The fields of one rule kind's parameters, by parameter name."""
    if kind == "quorum":
        return {
            "first_convocation": FractionField(
                label=_("Share of those entitled who must take part, on first convocation"),
                required=False,
                help_text=_("Such as 1/4; empty for no quorum."),
            ),
            "second_convocation": FractionField(
                label=_("… on second convocation"),
                required=False,
                help_text=_("Empty for no quorum on second convocation."),
            ),
        }
    if kind == "majority":
        return {
            "kind": forms.ChoiceField(
                label=_("Kind of majority"),
                choices=[
                    ("simple", _("Simple: more than the share of votes cast")),
                    ("absolute", _("Absolute: more than the share of those entitled")),
                    ("qualified", _("Qualified: at least the share of votes cast")),
                ],
            ),
            "fraction": FractionField(
                label=_("Share needed"), help_text=_("1/2 for a simple or absolute majority.")
            ),
            "count_abstentions": _yes(_("Abstentions count in the base")),
            "count_blanks": _yes(_("Blank papers count in the base")),
        }
    if kind == "eligibility":
        return {
            "good_standing": _yes(_("Dues for the year must be paid")),
            "min_months": _whole(_("Months of membership before the vote")),
            "min_age": _whole(_("Minimum age")),
            "body": forms.CharField(
                label=_("Only members of the body (its code)"),
                required=False,
                max_length=50,
                help_text=_("Empty for every member."),
            ),
        }
    if kind == "notice":
        return {
            "assembly_days": _whole(_("Days of notice to convene the meeting")),
            "motion_days": _whole(_("Days before the meeting to submit a motion")),
            "amendment_days": _whole(_("Days before the meeting to table an amendment")),
        }
    if kind == "terms":
        return {
            "length_months": _whole(_("Length of a term, in months"), minimum=1),
            "max_consecutive": _whole(
                _("Most consecutive terms"),
                minimum=1,
                required=False,
                help_text=_("Empty for no limit."),
            ),
            "youth_seats": _whole(_("Seats reserved for youth"), required=False),
            "youth_max_age": _whole(_("Oldest age for a youth seat"), minimum=18, required=False),
        }
    if kind == "proxies":
        return {
            "allowed": _yes(_("A member may vote for another")),
            "max_carried": _whole(_("Most proxies one member may carry")),
        }
    if kind == "trustees":
        return {
            "body": forms.CharField(
                label=_("The body whose members are the trustees (its code)"), max_length=50
            ),
            "threshold": _whole(_("Trustees needed to decrypt the count"), minimum=1),
        }
    return {"min_cosponsors": _whole(_("Co-sponsors needed"))}


def _initial_for(kind: str, params: dict) -> dict[str, Any]:
    initial = dict(params)
    if kind == "terms":
        initial["youth_seats"] = (params.get("reserved_seats") or {}).get("youth")
    return initial


def _params_from(kind: str, values: dict[str, Any], before: dict) -> dict:
    """The rule's parameters from the cleaned fields (empty optional fields left out)."""
    if kind == "quorum":
        return values  # no quorum is written as null, as in the statutes
    if kind == "terms":
        reserved = dict(before.get("reserved_seats") or {})
        reserved.pop("youth", None)
        if values.get("youth_seats"):
            reserved["youth"] = values["youth_seats"]
        params = {
            "length_months": values["length_months"],
            "max_consecutive": values.get("max_consecutive"),
            "youth_max_age": values.get("youth_max_age"),
        }
        if reserved:
            params["reserved_seats"] = reserved
        return {k: v for k, v in params.items() if v is not None}
    if kind == "eligibility":
        return {**values, "body": values.get("body") or None}
    if kind == "proxies" and not values["allowed"]:
        return {"allowed": False, "max_carried": 0}
    return {k: v for k, v in values.items() if v is not None}


class ArticleChoiceForm(forms.Form):
    """Which article to change, and how (GET: it only opens the right form)."""

    article = forms.ChoiceField(label=_("Article"))
    action = forms.ChoiceField(
        label=_("Change"),
        choices=[("replace", _("Change its text and rules")), ("remove", _("Repeal it"))],
    )

    def __init__(self, *args, articles: Sequence[ArticleSpec], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["article"].choices = [
            (a.number, _("Article %(number)s — %(title)s") % {"number": a.number, "title": a.title})
            for a in articles
        ]


class ArticleChangeForm(forms.Form):
    """One change: an article's new title, text and rule parameters; a new article; a repeal."""

    action = forms.CharField(widget=forms.HiddenInput)
    number = forms.CharField(label=_("Article number"), max_length=20)
    after = forms.ChoiceField(label=_("After article"), required=False)
    title = forms.CharField(label=_("Title"), max_length=200)
    text = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 8}))

    def __init__(
        self,
        *args,
        action: str,
        article: ArticleSpec | None,
        articles: Sequence[ArticleSpec],
        **kwargs,
    ):
        initial = kwargs.pop("initial", {}) or {}
        initial["action"] = action
        self.action, self.article = action, article
        self.rule_specs: list[RuleSpec] = (
            list(article.rules) if article and action == "replace" else []
        )
        if article is not None:
            initial.setdefault("number", article.number)
            initial.setdefault("title", article.title)
            initial.setdefault("text", article.text)
        self.rule_groups: list[dict] = []
        for index, spec in enumerate(self.rule_specs):
            for name, value in _initial_for(spec.kind, spec.params).items():
                initial.setdefault(f"r{index}_{name}", value)
        super().__init__(*args, initial=initial, **kwargs)
        if action == "add":
            self.fields["after"].choices = [("", _("At the end"))] + [
                (a.number, _("Article %(number)s") % {"number": a.number}) for a in articles
            ]
        else:
            self.fields["number"].widget = forms.HiddenInput()
            del self.fields["after"]
        if action == "remove":
            del self.fields["title"], self.fields["text"]
        for index, spec in enumerate(self.rule_specs):
            names = []
            for name, field in _fields_for(spec.kind).items():
                key = f"r{index}_{name}"
                self.fields[key] = field
                names.append(key)
            self.rule_groups.append(
                {
                    "legend": _("%(kind)s rule, for %(scope)s")
                    % {
                        "kind": KIND_LABELS.get(spec.kind, spec.kind),
                        "scope": SCOPE_LABELS.get(spec.scope, spec.scope),
                    },
                    "names": names,
                }
            )

    def grouped(self):
        """The article's own fields, then one group of fields per rule (for the template)."""
        rule_names = {name for group in self.rule_groups for name in group["names"]}
        own = [self[name] for name in self.fields if name not in rule_names]
        groups = [
            {"legend": g["legend"], "fields": [self[name] for name in g["names"]]}
            for g in self.rule_groups
        ]
        return own, groups

    def clean(self):
        data = super().clean()
        self.new_rules = []
        for index, spec in enumerate(self.rule_specs):
            prefix = f"r{index}_"
            values = {
                key.removeprefix(prefix): value
                for key, value in data.items()
                if key.startswith(prefix)
            }
            if len(values) != len(_fields_for(spec.kind)):
                continue  # a field is already in error
            params = _params_from(spec.kind, values, spec.params)
            try:
                rules.parse_rule(spec.kind, params)
            except rules.RuleError as error:
                key = prefix + error.field
                self.add_error(key if key in self.fields else None, rule_error_in_words(error))
                continue
            self.new_rules.append({"kind": spec.kind, "scope": spec.scope, "params": params})
        return data

    def change(self) -> dict:
        """The change as `motions.statute_changes` takes it."""
        data = self.cleaned_data
        number = data["number"].strip()
        if self.action == "remove":
            return {"action": "remove", "number": number}
        change = {
            "action": self.action,
            "number": number,
            "title": data["title"],
            "text": data["text"],
        }
        if self.action == "add":
            change["after"] = data.get("after") or ""
            change["rules"] = []
        else:
            change["rules"] = self.new_rules
        return change
