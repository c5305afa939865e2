"""Statute rules and their evaluated outcomes in plain words, in the active language."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from governance.statutes import rules


def _fraction(value: Fraction) -> str:
    named = {
        Fraction(1, 2): _("half"),
        Fraction(1, 3): _("a third"),
        Fraction(2, 3): _("two thirds"),
        Fraction(1, 4): _("a quarter"),
        Fraction(3, 4): _("three quarters"),
        Fraction(1, 5): _("a fifth"),
        Fraction(3, 5): _("three fifths"),
    }
    if value in named:
        return f"{named[value]} ({value})"
    return str(value)


def _quorum(rule: rules.QuorumRule) -> str:
    def part(fraction: Fraction | None) -> str:
        if fraction is None:
            return _("no quorum")
        return _("%(fraction)s of the members entitled to vote") % {"fraction": _fraction(fraction)}

    return _("First convocation: %(first)s. Second convocation: %(second)s.") % {
        "first": part(rule.first_convocation),
        "second": part(rule.second_convocation),
    }


def _majority(rule: rules.MajorityRule) -> str:
    fraction = _fraction(rule.fraction)
    if rule.majority == "absolute":
        return _(
            "More than %(fraction)s of all the members entitled to vote must vote in favour."
        ) % {"fraction": fraction}
    if rule.majority == "simple":
        text = _("More than %(fraction)s of the votes cast must be in favour.") % {
            "fraction": fraction
        }
    else:
        text = _("At least %(fraction)s of the votes cast must be in favour.") % {
            "fraction": fraction
        }
    counted = {
        (False, False): _("Abstentions and blank ballots are not counted as votes cast."),
        (True, False): _("Abstentions count as votes cast; blank ballots do not."),
        (False, True): _("Blank ballots count as votes cast; abstentions do not."),
        (True, True): _("Abstentions and blank ballots count as votes cast."),
    }[rule.count_abstentions, rule.count_blanks]
    return f"{text} {counted}"


def _eligibility(rule: rules.EligibilityRule) -> str:
    parts = [_("a member")]
    if rule.good_standing:
        parts.append(_("with this year's dues paid"))
    if rule.min_months:
        parts.append(
            ngettext(
                "for at least %(months)s month",
                "for at least %(months)s months",
                rule.min_months,
            )
            % {"months": rule.min_months}
        )
    if rule.min_age:
        parts.append(_("aged %(age)s or over") % {"age": rule.min_age})
    if rule.body:
        parts.append(_("sitting on the body %(body)s") % {"body": rule.body})
    return _("Eligible: %(conditions)s.") % {"conditions": ", ".join(parts)}


def _days(days: int) -> str:
    return ngettext("%(days)s day", "%(days)s days", days) % {"days": days}


def _notice(rule: rules.NoticeRule) -> str:
    return _(
        "Convened %(assembly)s ahead; motions submitted %(motion)s ahead; amendments %(amendment)s ahead."
    ) % {
        "assembly": _days(rule.assembly_days),
        "motion": _days(rule.motion_days),
        "amendment": _days(rule.amendment_days),
    }


def _terms(rule: rules.TermsRule) -> str:
    text = ngettext(
        "Terms of %(months)s month", "Terms of %(months)s months", rule.length_months
    ) % {"months": rule.length_months}
    if rule.max_consecutive:
        text += "; " + ngettext(
            "at most %(count)s consecutive term",
            "at most %(count)s consecutive terms",
            rule.max_consecutive,
        ) % {"count": rule.max_consecutive}
    youth = rule.reserved_seats.get("youth", 0)
    if youth:
        text += "; " + ngettext(
            "%(count)s seat reserved for a member aged %(age)s or under",
            "%(count)s seats reserved for members aged %(age)s or under",
            youth,
        ) % {"count": youth, "age": rule.youth_max_age}
    return text + "."


def _proxies(rule: rules.ProxyRule) -> str:
    if not rule.allowed:
        return _("Proxies are not allowed.")
    return ngettext(
        "A member may carry at most %(count)s proxy.",
        "A member may carry at most %(count)s proxies.",
        rule.max_carried,
    ) % {"count": rule.max_carried}


def _sponsorship(rule: rules.SponsorshipRule) -> str:
    return ngettext(
        "At least %(count)s co-sponsor entitled to vote.",
        "At least %(count)s co-sponsors entitled to vote.",
        rule.min_cosponsors,
    ) % {"count": rule.min_cosponsors}


def _trustees(rule: rules.TrusteesRule) -> str:
    return ngettext(
        "Secret ballots are held in trust by the members of the body %(body)s: any %(k)s of them decrypts the count.",
        "Secret ballots are held in trust by the members of the body %(body)s: any %(k)s of them decrypt the count.",
        rule.threshold,
    ) % {"body": rule.body, "k": rule.threshold}


DESCRIBERS = {
    "quorum": _quorum,
    "majority": _majority,
    "eligibility": _eligibility,
    "notice": _notice,
    "terms": _terms,
    "proxies": _proxies,
    "sponsorship": _sponsorship,
    "trustees": _trustees,
}


def describe_rule(kind: str, params: Any) -> str:
    """A rule (model fields or a decision's stored snapshot) in plain words."""
    try:
        parsed = rules.parse_rule(kind, params)
    except rules.RuleError as error:
        return _("Unreadable rule (%(error)s).") % {"error": rule_error_in_words(error)}
    return DESCRIBERS[kind](parsed)


def describe_outcome(outcome: dict) -> str:
    """A stored `RuleOutcome.as_dict()` in plain words: the figures against the threshold."""
    figures = outcome.get("figures", {})
    kind = outcome.get("kind")
    if kind == "quorum":
        if outcome.get("threshold") == "none":
            return _("%(took_part)s of %(eligible)s took part; no quorum required.") % figures
        return _("%(took_part)s of %(eligible)s took part; %(needed)s needed.") % figures
    if kind == "majority":
        return (
            _(
                "%(yes)s in favour, %(no)s against, %(abstain)s abstentions; %(needed)s in favour needed (base %(base)s)."
            )
            % figures
        )
    if kind == "notice":
        return _("Done on %(done_on)s; the deadline was %(deadline)s.") % figures
    if kind == "terms":
        return _("%(served)s consecutive terms served.") % figures
    if kind == "proxies":
        return _("%(already_carried)s proxies already carried.") % figures
    if kind == "sponsorship":
        return _("%(cosponsors)s co-sponsors; %(needed)s needed.") % figures
    if kind == "eligibility":
        failed = figures.get("failed") or []
        return (
            _("Conditions not met: %(failed)s.") % {"failed": ", ".join(failed)}
            if failed
            else _("All conditions met.")
        )
    return ""


# ---------------------------------------------------------------------------
# A decision's figures in words
# ---------------------------------------------------------------------------

#: The figures a decision stores, by key, in the words a member reads (never the raw keys),
#: in the order they are read: how it was counted, who could take part, who did, the votes.
FIGURE_LABELS = {
    "method": gettext_lazy("Counting method"),
    "eligible": gettext_lazy("Entitled to vote"),
    "on_roll": gettext_lazy("On the roll (in the room)"),
    "took_part": gettext_lazy("Took part"),
    "yes": gettext_lazy("Yes"),
    "no": gettext_lazy("No"),
    "abstain": gettext_lazy("Abstentions"),
    "blank": gettext_lazy("Blank papers"),
    "invalid": gettext_lazy("Invalid papers"),
    "valid": gettext_lazy("Valid papers"),
    "seats": gettext_lazy("Seats"),
    "elected": gettext_lazy("Elected"),
}
_FIGURE_ORDER = {key: n for n, key in enumerate(FIGURE_LABELS)}

#: The counting methods' names, as the voting engine's `Ballot.Method` gives them.
METHOD_LABELS = {
    "yesno": gettext_lazy("Yes / no / abstain"),
    "plurality": gettext_lazy("Plurality"),
    "approval": gettext_lazy("Approval"),
    "irv": gettext_lazy("Instant run-off"),
    "stv": gettext_lazy("Single transferable vote (Scottish rules)"),
    "meek": gettext_lazy("Single transferable vote (Meek)"),
}


def figure_items(figures: dict) -> list[tuple[str, str]]:
    """A decision's figures as (label, value) in words, in FIGURE_LABELS' order whatever the
    stored one (PostgreSQL's jsonb keeps its keys shortest first: "no" before "yes"), unknown
    keys last: lists joined in their order (the elected in the order of election), methods
    named, unknown keys made readable."""
    shown = []
    ordered = sorted(
        figures.items(), key=lambda item: _FIGURE_ORDER.get(item[0], len(_FIGURE_ORDER))
    )
    for key, value in ordered:
        if key == "method":
            value = METHOD_LABELS.get(value, value)
        elif key == "elected" and isinstance(value, list):
            value = ", ".join(
                _("%(position)s. %(name)s") % {"position": n, "name": name}
                for n, name in enumerate(value, start=1)
            ) or _("nobody")
        elif isinstance(value, list):
            value = ", ".join(map(str, value)) or "—"
        elif isinstance(value, bool):
            value = _("yes") if value else _("no")
        label = FIGURE_LABELS.get(key) or key.replace("_", " ").capitalize()
        shown.append((str(label), str(value)))
    return shown


def scope_in_words(scope: str) -> str:
    """What a rule's scope governs, in words ("motions to the International Council", not
    ``ic_motion``); a scope the statutes name that is not listed here is shown as written."""
    names = {
        "assembly": _("decisions of the General Assembly"),
        "board": _("decisions of the Board"),
        "statute_amendment": _("statute amendments"),
        "motion": _("motions"),
        "ic_motion": _("motions to the International Council"),
        "amendment": _("amendments to motions"),
        "ballot": _("votes"),
        "election": _("elections"),
    }
    return names.get(scope, scope)


def rule_error_in_words(error: rules.RuleError) -> str:
    """A malformed rule's error in the active language."""
    message = _(error.message)
    return message % error.values if error.values else message
