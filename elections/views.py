"""Pages of the voting engine: thin views that read via querysets and write via services.

Who sees what is `elections/access.py`'s, as for the API: every lookup, a write's too, goes
through `visible_to(user)`, so what a user may not see is a 404 here and there. Every write goes through `elections.services`,
which checks the actor's role again; a refusal (`NotAllowed`) becomes a 403 page and any
other `DomainError` a form error (400) or a message.
"""

from __future__ import annotations

import datetime as dt
import json

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from elections import access, ballot_box, counting, services
from elections.counting import Action, TieMethod, TiePurpose
from elections.counting import papers as paper_format
from elections.forms import (
    BallotForm,
    CancelForm,
    NominationForm,
    PaperCountForm,
    ProxyForm,
    ReceiptCheckForm,
    SetAsideForm,
    vote_form_class,
)
from elections.models import (
    Ballot,
    BallotBox,
    Candidate,
    PaperCount,
    Participation,
    Proxy,
    RollEntry,
    Trustee,
)
from governance import lifecycle
from governance.access import may_act_for_some_body, may_read_record, may_take_part
from governance.accounts import ratelimit
from governance.exceptions import DomainError, NotAllowed
from governance.models import Article, Member, Rule, StatuteVersion
from governance.permissions import bodies_acted_for, ensure_may_act_for_body, roles_for
from governance.statutes.text import figure_items
from governance.web import refused, role_checked, role_required, take_step

Status = Ballot.Status
TOO_MANY_VOTES = gettext_lazy(
    "Too many attempts to vote from your account in the last minute: wait a minute and try again."
)


ballot_reader = role_required(may_read_record)
# Auditors read everything and change nothing: refused here, before any form is parsed.
ballot_writer = role_required(may_take_part)


def _ballot_for(request, pk: int, queryset=None) -> Ballot:
    """The ballot if the user may see it (elections/access.py), else 404."""
    queryset = queryset if queryset is not None else Ballot.objects.with_context()
    return get_object_or_404(queryset.visible_to(request.user), pk=pk)


def _back_to_ballot(request, ballot: Ballot):
    if not access.may_read_ballot(request.user, ballot):
        return redirect("ballot_list")
    return redirect("ballot_detail", ballot.pk)


# ---------------------------------------------------------------------------
# Lists and drafting
# ---------------------------------------------------------------------------


#: The most ballots one section of the ballot list shows (soonest first), and the officers'
#: ballots a page: the page stays the same size however many there are.
LISTED = 50


@ballot_reader
@require_GET
def ballot_list(request):
    roles = roles_for(request.user)
    context: dict = {
        "published": Ballot.objects.with_context()
        .filter(status=Status.PUBLISHED)
        .order_by("-closed_at", "-pk")[:10]
    }
    if roles.member:
        member_id = roles.member_id
        context["my_ballots"] = (
            Ballot.objects.for_member(member_id)
            .filter(status=Status.OPEN)
            .order_by("closes_at")[:LISTED]
        )
        context["carried"] = (
            Proxy.objects.carried_by(member_id)
            .filter(ballot__status=Status.OPEN)
            .order_by("ballot__closes_at")
        )
        context["given"] = (
            Proxy.objects.live()
            .filter(giver_id=member_id, ballot__status__in=[Status.DRAFT, Status.OPEN])
            .select_related("holder", "ballot")
        )
        context["calls_for_candidates"] = (
            Ballot.objects.with_context()
            .visible_to(request.user)
            .filter(status=Status.DRAFT, kind=Ballot.Kind.ELECTION)
            .order_by("opens_at")[:LISTED]
        )
        context["candidacies"] = (
            Candidate.objects.filter(member_id=member_id, ballot__status=Status.DRAFT)
            .exclude(status=Candidate.Status.WITHDRAWN)
            .select_related("ballot", "ballot__body")
        )
        context["trustee"] = Trustee.objects.visible_to(request.user).exists()
    if may_act_for_some_body(request.user):
        # Paginated: a body that has run a thousand ballots lists LISTED a page.
        context["run_ballots"] = context["page"] = Paginator(
            Ballot.objects.for_bodies(bodies_acted_for(request.user).values("pk")), LISTED
        ).get_page(request.GET.get("page"))
    return render(request, "elections/ballot_list.html", context)


@ballot_reader
@require_GET
def ballot_banner(request):
    """The banner every page of a member asks for (htmx, on load and every 20 seconds): the
    open ballots on whose roll they are and in which they have not voted yet. The pages
    themselves run no query for it; without JavaScript the ballot list says the same."""
    roles = roles_for(request.user)
    waiting = []
    if roles.member and roles.may_write:
        waiting = list(
            Ballot.objects.for_member(roles.member_id)
            .filter(status=Status.OPEN, closes_at__gt=timezone.now(), has_voted=False)
            .order_by("closes_at")[:3]
        )
    return render(request, "elections/_vote_banner.html", {"waiting": waiting})


@role_required(may_act_for_some_body)
@require_http_methods(["GET", "POST"])
def ballot_create(request):
    version = StatuteVersion.objects.in_force()
    articles = Article.objects.filter(version=version).order_by("position")
    scopes = (
        Rule.objects.filter(article__version=version, kind__in=["quorum", "majority"])
        .order_by("scope")
        .values_list("scope", flat=True)
        .distinct()
    )
    now = timezone.now().replace(second=0, microsecond=0)
    form = BallotForm(
        request.POST or None,
        bodies=bodies_acted_for(request.user).select_related("unit"),
        articles=articles,
        rule_scopes=list(scopes),
        initial={"opens_at": now, "closes_at": now + dt.timedelta(days=7)},
    )
    if request.method == "POST" and form.is_valid():
        with refused(form=form) as refusal:
            ballot = services.create_ballot(actor=request.user, **form.cleaned_data)
        if not refusal:
            messages.success(request, _("The ballot is drafted. Open it from its console."))
            return redirect("ballot_detail", ballot.pk)
    return render(
        request, "elections/ballot_form.html", {"form": form}, status=400 if form.errors else 200
    )


# ---------------------------------------------------------------------------
# A ballot's page and voting
# ---------------------------------------------------------------------------


def _held_in_trust(ballot: Ballot) -> dict | None:
    """Who holds a secret ballot in trust, for its page: k of n, their names, the article
    that named them and whether they are demonstration trustees (one query: the trustees;
    the box and its article come joined by `with_context`). None for a named vote."""
    if not ballot.secret:
        return None
    try:
        box = ballot.box
    except BallotBox.DoesNotExist:
        box = None
    trustees = list(box.trustees.select_related("member")) if box is not None else []
    return ballot_box.trustees_summary(ballot, box=box, trustees=trustees, statutes=False)


def _detail_context(
    request, ballot: Ballot, *, bound=None, nomination_form=None, proxy_form=None, alert=""
) -> dict:
    roles = roles_for(request.user)
    runs = access.may_run_ballot(request.user, ballot)
    candidates = list(ballot.candidates.all())
    standing = [c for c in candidates if c.status == Candidate.Status.STANDING]
    voting_open = ballot.status == Status.OPEN and timezone.now() < ballot.closes_at
    context = {
        "ballot": ballot,
        "candidates": candidates,
        "runs": runs,
        "voting_open": voting_open,
        "results_visible": access.results_visible(request.user, ballot),
        "alert": alert,
        "vote_forms": [],
        "nomination_form": nomination_form,
        "proxy_form": proxy_form,
        "held": _held_in_trust(ballot),
    }
    if (
        nomination_form is None
        and (runs or roles.member)
        and roles.may_write
        and ballot.status == Status.DRAFT
        and ballot.kind == Ballot.Kind.ELECTION
    ):
        context["nomination_form"] = NominationForm(options=runs)
    if not roles.member:
        return context

    member_id = roles.member_id
    on_roll = RollEntry.objects.filter(ballot=ballot, member_id=member_id).exists()
    has_voted = Participation.objects.filter(ballot=ballot, member_id=member_id).exists()
    my_proxy = (
        Proxy.objects.filter(ballot=ballot, giver_id=member_id)
        .exclude(status=Proxy.Status.REVOKED)
        .select_related("holder")
        .first()
    )
    carried = list(
        Proxy.objects.carried_by(member_id)
        .filter(ballot=ballot)
        .exclude(giver__participations__ballot=ballot)
    )
    context.update(on_roll=on_roll, has_voted=has_voted, my_proxy=my_proxy, carried=carried)

    form_class = vote_form_class(ballot)

    def vote_form(key: str):
        if bound is not None and bound.key == key:
            return bound
        return form_class(ballot=ballot, candidates=standing, key=key)

    if voting_open and roles.may_write:
        if on_roll and not has_voted and my_proxy is None:
            context["vote_forms"].append(
                {"key": "self", "on_behalf_of": None, "form": vote_form("self")}
            )
        for proxy in carried:
            key = f"proxy-{proxy.giver_id}"
            context["vote_forms"].append(
                {"key": key, "on_behalf_of": proxy.giver, "form": vote_form(key)}
            )
    may_give_proxy = (
        roles.may_write
        and voting_open
        and on_roll
        and not has_voted
        and my_proxy is None
        and _proxies_allowed(ballot)
    )
    if context["proxy_form"] is None and may_give_proxy:
        context["proxy_form"] = ProxyForm()
    return context


def _proxies_allowed(ballot: Ballot) -> bool:
    rule = services.proxy_rule(ballot)
    return rule is not None and rule.parsed().allowed


def _render_detail(request, ballot: Ballot, *, status: int = 200, **forms):
    return render(
        request,
        "elections/ballot_detail.html",
        _detail_context(request, ballot, **forms),
        status=status,
    )


@ballot_reader
@require_GET
def ballot_detail(request, pk: int):
    return _render_detail(request, _ballot_for(request, pk))


def _bound_vote_form(request, ballot: Ballot):
    """The vote form bound to the POST, and the member voted for (None for one's own vote)."""
    on_behalf_of = None
    key = "self"
    raw = request.POST.get("on_behalf_of", "").strip()
    if raw:
        on_behalf_of = Member.objects.filter(pk=int(raw)).first() if raw.isdigit() else None
        if on_behalf_of is None:
            raise PermissionDenied(_("You do not carry a proxy for this member on this ballot."))
        key = f"proxy-{on_behalf_of.pk}"
    standing = ballot.candidates.filter(status=Candidate.Status.STANDING)
    form = vote_form_class(ballot)(request.POST, ballot=ballot, candidates=standing, key=key)
    return form, on_behalf_of


# A secret vote's choices (and a receipt code) are kept out of error reports: Django's
# report of a failed request (mailed to ADMINS, or collected) would list them beside the user.
@ballot_writer
@require_POST
@sensitive_post_parameters()
def ballot_vote_review(request, pk: int):
    """The step before casting: the paper in words, to cast as it is or to change.

    Nothing is written. The review carries the choices as hidden fields to `ballot_vote`
    (which casts); "Change" renders the ballot's page with the form as it was filled.
    """
    ballot = _ballot_for(request, pk)
    form, on_behalf_of = _bound_vote_form(request, ballot)
    if not form.is_valid():
        return _render_detail(request, ballot, bound=form, status=400)
    if "change" in request.POST:
        return _render_detail(request, ballot, bound=form)
    names = dict(ballot.candidates.values_list("code", "name"))
    choices = form.paper()
    paper = paper_format.content_of(ballot.method, choices)
    hidden = [
        (name, value)
        for name, values in request.POST.lists()
        if name not in {"csrfmiddlewaretoken", "change"}
        for value in values
    ]
    response = render(
        request,
        "elections/ballot_review.html",
        {
            "ballot": ballot,
            "on_behalf_of": on_behalf_of,
            "marks": _paper_in_words(paper, names),
            "ranked": "ranking" in paper,
            "hidden": hidden,
        },
    )
    add_never_cache_headers(response)  # the choices of a secret vote, as the receipt
    return response


@ballot_writer
@require_POST
@sensitive_post_parameters()
def ballot_vote(request, pk: int):
    ballot = _ballot_for(request, pk)
    if wait := ratelimit.attempt(ratelimit.vote_limit(), request.user):
        response = _render_detail(request, ballot, alert=TOO_MANY_VOTES, status=429)
        response["Retry-After"] = str(wait)
        return response
    form, on_behalf_of = _bound_vote_form(request, ballot)
    if not form.is_valid():
        return _render_detail(request, ballot, bound=form, status=400)
    try:
        receipt = services.cast_vote(
            actor=request.user, ballot=ballot, choices=form.paper(), on_behalf_of=on_behalf_of
        )
    except DomainError as error:
        status = 403 if isinstance(error, NotAllowed) else 400
        if error.field in form.fields:
            form.add_error(error.field, error.message)
            return _render_detail(request, ballot, bound=form, status=status)
        return _render_detail(request, ballot, bound=form, alert=error.message, status=status)
    # The code exists only in this response: never stored, logged, cached or put in a URL.
    response = render(
        request,
        "elections/ballot_receipt.html",
        {"ballot": ballot, "receipt": receipt, "on_behalf_of": on_behalf_of},
    )
    add_never_cache_headers(response)
    return response


YES_NO_WORDS = {
    "yes": gettext_lazy("Yes"),
    "no": gettext_lazy("No"),
    "abstain": gettext_lazy("Abstain"),
    "blank": gettext_lazy("Blank paper"),
}


def _paper_in_words(content: dict, names: dict[str, str]) -> list[str]:
    """A paper's content with names for codes: one answer, or the candidates in order."""
    if "choice" in content:
        return [str(YES_NO_WORDS.get(content["choice"], content["choice"]))]
    codes = content.get("ranking", content.get("choices", []))
    return [names.get(code, code) for code in codes]


@ballot_reader
@require_http_methods(["GET", "POST"])
@sensitive_post_parameters()
def ballot_receipt_check(request):
    # A POST: the code never lands in a URL, a referrer or an access log.
    form = ReceiptCheckForm(request.POST if request.method == "POST" else None)
    context: dict = {"form": form, "checked": False}
    if form.is_valid():
        paper = services.find_paper(form.cleaned_data["code"])
        context.update(checked=True, paper=paper)
        if paper is not None:
            context["ballot"] = paper.ballot
            if paper.content is not None:
                names = dict(paper.ballot.candidates.values_list("code", "name"))
                context["marks"] = _paper_in_words(paper.content, names)
                context["ranked"] = "ranking" in paper.content
    response = render(request, "elections/receipt_check.html", context)
    add_never_cache_headers(response)
    return response


# ---------------------------------------------------------------------------
# Results and the published list of papers
# ---------------------------------------------------------------------------


STAGE_ACTIONS = {
    Action.FIRST_PREFERENCES: gettext_lazy("First preferences counted"),
    Action.VOTES_COUNTED: gettext_lazy("Votes counted"),
    Action.SURPLUS_TRANSFERRED: gettext_lazy("Surplus of %(name)s transferred"),
    Action.EXCLUDED: gettext_lazy("%(name)s excluded, papers transferred"),
    Action.KEEP_FACTORS_ADJUSTED: gettext_lazy("Keep factors adjusted"),
    Action.REMAINING_ELECTED: gettext_lazy("Remaining seats filled by the continuing candidates"),
    Action.NO_VALID_VOTES: gettext_lazy("No valid votes"),
}

TIE_PURPOSES = {
    TiePurpose.EXCLUSION: gettext_lazy("for exclusion"),
    TiePurpose.SURPLUS_ORDER: gettext_lazy("for the order of surpluses"),
    TiePurpose.LAST_SEATS: gettext_lazy("for the last seats"),
}


def _figures(figures: dict) -> list[tuple[str, object]]:
    return figure_items(figures)


def _names(codes, names: dict[str, str]) -> str:
    return ", ".join(names.get(code, code) for code in codes)


def _signed(value) -> str:
    text = str(value)
    return text if text.startswith("-") else f"+{text}"


def _tie_in_words(tie: dict, names: dict[str, str]) -> str:
    values = {
        "tied": _names(tie.get("candidates", []), names),
        "purpose": TIE_PURPOSES.get(tie.get("purpose"), tie.get("purpose")),
        "chosen": _names(tie.get("chosen", []), names),
        "stage": tie.get("decided_at_stage"),
    }
    if tie.get("method") == TieMethod.LOT:
        return (
            _(
                "%(tied)s were tied %(purpose)s; lots drawn from the published seed chose %(chosen)s."
            )
            % values
        )
    return _("%(tied)s were tied %(purpose)s; the votes at stage %(stage)s chose %(chosen)s.") % (
        values
    )


def _stage_table(count: dict, names: dict[str, str]) -> dict:
    """The stages of a count as rows of names (candidates) and columns (stages)."""
    stages = count.get("stages", [])
    columns = []
    for stage in stages:
        action = STAGE_ACTIONS.get(stage["action_code"], stage.get("action", ""))
        subject = names.get(stage.get("subject"), stage.get("subject") or "")
        columns.append(
            {
                "number": stage["number"],
                "action": str(action) % {"name": subject} if "%(name)s" in str(action) else action,
                "elected": _names(stage.get("elected", []), names),
                "excluded": _names(stage.get("excluded", []), names),
                "quota": _for_reading(stage["quota"]) if stage.get("quota") is not None else None,
                "surplus": (
                    _for_reading(stage["surplus"]) if stage.get("surplus") is not None else None
                ),
                "exhausted": _for_reading(stage.get("exhausted_total", 0)),
                "exhausted_change": _for_reading(stage.get("exhausted", 0)),
                "loss": _for_reading(stage.get("loss", 0)),
                "exact": {
                    "quota": stage.get("quota"),
                    "surplus": stage.get("surplus"),
                    "exhausted": stage.get("exhausted_total", 0),
                    "exhausted_change": stage.get("exhausted", 0),
                    "loss": stage.get("loss", 0),
                },
                "tie": _tie_in_words(stage["tie_break"], names) if stage.get("tie_break") else "",
            }
        )
    rows = []
    for code in count.get("candidates", []):
        cells = []
        for stage in stages:
            transfer = stage.get("transfers", {}).get(code)
            cells.append(
                {
                    "votes": _for_reading(stage["votes"].get(code, 0)),
                    "exact": stage["votes"].get(code, 0),
                    "transfer": _signed(_for_reading(transfer)) if transfer is not None else "",
                    "transfer_exact": _signed(transfer) if transfer is not None else "",
                    "elected": code in stage.get("elected", []),
                    "excluded": code in stage.get("excluded", []),
                }
            )
        rows.append(
            {"name": names.get(code, code), "cells": cells, "elected": code in count["elected"]}
        )
    return {"columns": columns, "rows": rows}


def _yes_no_chart(count: dict, decision) -> dict:
    """A yes/no result at a glance: each answer's share of the papers cast (rounded to whole
    percent for reading; the exact counts beside them), one bar coloured by meaning, and the
    line the majority rule drew: the votes needed over the rule's base (the papers counted, or
    everyone entitled for an absolute majority of members)."""
    total = int(count.get("total", 0) or 0)
    majority = next(
        (
            rule.get("outcome") or {}
            for rule in (decision.rule_snapshot if decision else None) or []
            if rule.get("kind") == "majority"
        ),
        {},
    )
    figures = majority.get("figures") or {}
    base = int(figures.get("base") or total)
    scale = max(base, total, 1)
    parts = []
    for key, meaning in (
        ("yes", "for"),
        ("no", "against"),
        ("abstain", "abstain"),
        ("blank", "blank"),
    ):
        value = int(count.get(key, 0) or 0)
        parts.append(
            {
                "key": key,
                "meaning": meaning,
                "label": YES_NO_WORDS[key],
                "value": value,
                "percent": round(100 * value / total) if total else 0,
                "exact": f"{100 * value / total:.2f}" if total else "0.00",
                "width": round(100 * value / scale),
            }
        )
    needed = figures.get("needed")
    return {
        "parts": parts,
        "total": total,
        "base": base,
        "needed": needed,
        "line": round(100 * int(needed) / scale) if needed else None,
        "threshold": majority.get("threshold", ""),
        "satisfied": majority.get("satisfied"),
    }


def _for_reading(value) -> str:
    """An STV figure rounded to two decimals for reading (the exact one is kept beside it)."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    return f"{number:.0f}" if number == int(number) else f"{number:.2f}"


def _bars(values: list[tuple[str, object]], total) -> list[dict]:
    """Rows of the chart: each a label, a value and the maximum for a <meter>."""
    return [
        {"label": label, "value": value, "shown": _for_reading(value), "max": total or 1}
        for label, value in values
    ]


@ballot_reader
@require_GET
def ballot_results(request, pk: int):
    ballot = _ballot_for(request, pk)
    if not access.results_visible(request.user, ballot) or not ballot.result:
        raise Http404(_("The results of this ballot are not published."))
    result = ballot.result
    count = result.get("count", {})
    names = result.get("names", {})
    context = {
        "ballot": ballot,
        "decision": ballot.decision,
        "figures": _figures(result.get("figures", {})),
        "count": count,
    }
    if ballot.yes_no:
        context["chart"] = _yes_no_chart(count, ballot.decision)
        context["bars"] = _bars(
            [(YES_NO_WORDS[key], count.get(key, 0)) for key in ("yes", "no", "abstain", "blank")],
            count.get("total", 0),
        )
    else:
        final = count["stages"][-1]["votes"] if count.get("stages") else {}
        context["elected"] = [names.get(code, code) for code in count.get("elected", [])]
        context["table"] = _stage_table(count, names)
        context["bars"] = _bars(
            [(names.get(code, code), final.get(code, 0)) for code in count.get("candidates", [])],
            count.get("valid", 0),
        )
        context["ties"] = [_tie_in_words(tie, names) for tie in count.get("tie_breaks", [])]
    if not ballot.secret:
        context["named_votes"] = [
            (vote.member.full_name, _paper_in_words(vote.content, names))
            for vote in ballot.named_votes.select_related("member")
        ]
    return render(request, "elections/ballot_results.html", context)


def _published(request, pk: int) -> Ballot:
    ballot = _ballot_for(request, pk, Ballot.objects.select_related("body", "decision"))
    if ballot.status != Status.PUBLISHED:
        raise Http404(_("The list of papers is published with the results."))
    return ballot


def _attachment(text: str, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(text, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@ballot_reader
@require_GET
def ballot_papers_json(request, pk: int):
    ballot = _published(request, pk)
    text = counting.write_export(services.ballot_list(ballot))
    return _attachment(text, "application/json; charset=utf-8", f"ballot-{ballot.pk}.json")


@ballot_reader
@require_GET
def ballot_bundle(request, pk: int):
    """A published secret ballot's public bundle, for `manage.py verify_ballot`."""
    ballot = _published(request, pk)
    if not ballot.secret or not BallotBox.objects.filter(ballot=ballot).exists():
        raise Http404(_("Only secret ballots have an encrypted ballot box."))
    text = json.dumps(ballot_box.export_bundle(ballot), sort_keys=True)
    return _attachment(text, "application/json; charset=utf-8", f"ballot-{ballot.pk}-bundle.json")


@ballot_reader
@require_GET
def ballot_papers_blt(request, pk: int):
    ballot = _published(request, pk)
    if not ballot.ranked:
        raise Http404(_("Only ranked ballots have a BLT file."))
    listed = services.ballot_list(ballot)

    def plain(text: str) -> str:
        # BLT strings are quoted and one per line.
        return " ".join(text.replace('"', "'").split())

    text = counting.write_blt(
        listed.candidate_ids,
        listed.seats,
        [paper.content["ranking"] for paper in listed.papers],
        title=plain(listed.title),
        names={c.id: plain(c.name) for c in listed.candidates},
    )
    return _attachment(text, "text/plain; charset=utf-8", f"ballot-{ballot.pk}.blt")


# ---------------------------------------------------------------------------
# The officers' console and the lifecycle steps
# ---------------------------------------------------------------------------


def _next_step(ballot: Ballot):
    """The console's button: the ballot's next step (cancelling has its own form)."""
    return services.BALLOT.forward(ballot.status)


def _tally_context(ballot: Ballot, box) -> dict:
    """The tally's part of the console: its state and whether an officer may send it back
    to the worker (the retry step's guard: failed, or stuck in mixing)."""
    retry = services.BALLOT.steps["retry_tally"]
    return {
        "ballot": ballot,
        "box": box,
        "tally_pending": TALLY_PENDING,
        "may_retry": box is not None
        and ballot.status in retry.sources
        and not lifecycle.hindrance(retry, ballot),
    }


def _console_ballot(request, pk: int) -> Ballot:
    ballot = _ballot_for(request, pk)
    if not access.may_run_ballot(request.user, ballot):
        raise PermissionDenied(
            _("Only officers of %(body)s run this ballot.") % {"body": ballot.body}
        )
    return ballot


def _render_console(request, ballot: Ballot, *, paper_form=None, cancel_form=None, status=200):
    turnout = {
        "ballot": ballot,
        "roll_size": ballot.roll.count(),
        "turnout": ballot.participations.count(),
        # The e-mails going out in batches through the task worker (elections/tasks.py).
        "mailings": list(ballot.mailings.order_by("started_at", "pk")),
    }
    if request.htmx and request.GET.get("part") == "tally":
        return _tally_partial(request, ballot)
    if request.htmx:
        return render(request, "elections/ballot_console.html#turnout", turnout)
    counting_by_hand = ballot.status in (Status.OPEN, Status.CLOSED)
    codes = ballot.candidates.filter(status=Candidate.Status.STANDING)
    if paper_form is None and counting_by_hand:
        paper_form = PaperCountForm(ballot=ballot, codes=[])
    try:
        box = ballot.box  # joined by with_context: no query
    except BallotBox.DoesNotExist:
        box = None
    keyed_by_trustees = box is not None and not box.demo_secret  # a demo key has none
    trustees = list(box.trustees.select_related("member")) if keyed_by_trustees else []
    next_step = _next_step(ballot)
    context = {
        **turnout,
        **_tally_context(ballot, box),
        "trustees": ballot_box.trustees_progress(box, trustees) if keyed_by_trustees else None,
        "named": (
            ballot_box.trustees_summary(ballot, box=box, trustees=trustees, statutes=False)
            if ballot.secret
            else None
        ),
        "batches": ballot.paper_counts.select_related("entered_by", "confirmed_by", "set_aside_by"),
        "codes": codes,
        "next_step": next_step,
        # What holds the next step back (a secret ballot's count waits for its tally): its
        # button is disabled with the guard's sentence, the one the service refuses with.
        "next_hindrance": lifecycle.hindrance(next_step, ballot) if next_step else "",
        "paper_form": paper_form,
        "cancel_form": cancel_form or CancelForm(),
        "may_cancel": services.BALLOT.allows(ballot.status, Status.CANCELLED),
        "results_visible": ballot.status in (Status.COUNTED, Status.PUBLISHED),
    }
    return render(request, "elections/ballot_console.html", context, status=status)


#: The tally's states the console polls (the task worker has not finished yet).
TALLY_PENDING = (BallotBox.TallyState.WAITING, BallotBox.TallyState.MIXING)


def _tally_partial(request, ballot: Ballot):
    """The tally's state, polled while the task worker prepares it; once it is done (or has
    failed) the whole console is refreshed once, the trustees' table with it."""
    box = getattr(ballot, "box", None) if ballot.secret else None
    response = render(request, "elections/ballot_console.html#tally", _tally_context(ballot, box))
    if box is not None and box.tally_state not in TALLY_PENDING:
        response["HX-Refresh"] = "true"
    return response


@ballot_writer
@require_GET
def ballot_console(request, pk: int):
    return _render_console(request, _console_ballot(request, pk))


@ballot_writer
@require_GET
def ballot_confirm(request, pk: int, action: str):
    """What closing, counting or publishing will do and what cannot be undone, with the
    turnout and, for a close before the set time, the time still left; the button there
    posts to `ballot_action`. A step the ballot is not at sends back to the console.
    The steps asked first are those of the lifecycle with a `confirm` question."""
    step = services.BALLOT.steps.get(action)
    if step is None or not step.confirm:
        raise Http404(_("Unknown step."))
    ballot = _console_ballot(request, pk)
    next_step = _next_step(ballot)
    if next_step is None or next_step.name != action:
        messages.error(request, _("This step is not the ballot's next one."))
        return redirect("ballot_console", ballot.pk)
    if hindrance := lifecycle.hindrance(step, ballot):
        messages.error(request, hindrance)
        return redirect("ballot_console", ballot.pk)
    now = timezone.now()
    roll_size = ballot.roll.count()
    turnout = ballot.participations.count()
    context = {
        "ballot": ballot,
        "action": action,
        "label": step.label,
        "question": step.confirm,
        "roll_size": roll_size,
        "turnout": turnout,
        "percent": round(100 * turnout / roll_size) if roll_size else 0,
        "early": action == "close" and ballot.closes_at > now,
        "now": now,
        "pending_batches": ballot.paper_counts.filter(status=PaperCount.Status.PENDING).count(),
    }
    return render(request, "elections/ballot_confirm.html", context)


@ballot_writer
@require_POST
def ballot_action(request, pk: int, action: str):
    """Any step of the ballot's lifecycle (`services.BALLOT`), looked up by its name."""
    step = services.BALLOT.steps.get(action)
    if step is None:
        raise Http404(_("Unknown step."))
    ballot = _ballot_for(request, pk, Ballot.objects.select_related("body"))
    extra = {"reason": request.POST.get("reason", "")} if step.needs_reason else {}
    take_step(request, step, ballot, **extra)
    return redirect("ballot_console", ballot.pk)


@ballot_writer
@require_POST
def paper_count_enter(request, pk: int):
    ballot = _console_ballot(request, pk)
    form = PaperCountForm(request.POST, ballot=ballot, codes=services.candidate_codes(ballot))
    if form.is_valid():
        with refused(form=form, fields={"groups": "lines", "choices": "lines"}) as refusal:
            batch = services.enter_paper_count(
                actor=request.user,
                ballot=ballot,
                label=form.cleaned_data["label"],
                groups=form.cleaned_data["lines"],
            )
        if not refusal:
            messages.success(
                request,
                _("Batch %(label)s entered (%(papers)s papers): a second teller must confirm it.")
                % {"label": batch.label, "papers": batch.papers},
            )
            return redirect("ballot_console", ballot.pk)
    return _render_console(request, ballot, paper_form=form, status=400)


@ballot_writer
@require_POST
def paper_count_confirm(request, pk: int):
    batch = get_object_or_404(
        PaperCount.objects.visible_to(request.user).select_related("ballot__body"), pk=pk
    )
    with refused(request=request) as refusal:
        services.confirm_paper_count(actor=request.user, batch=batch)
    if not refusal:
        messages.success(request, _("Batch %(label)s confirmed.") % {"label": batch.label})
    return redirect("ballot_console", batch.ballot_id)


@ballot_writer
@require_POST
def paper_count_set_aside(request, pk: int):
    """The teller who entered a batch withdraws it, or a second teller rejects it, with a reason."""
    batch = get_object_or_404(
        PaperCount.objects.visible_to(request.user).select_related("ballot__body"), pk=pk
    )
    with role_checked():  # the role before the input
        ensure_may_act_for_body(request.user, batch.ballot.body)
    form = SetAsideForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the reason for setting the batch aside."))
        return redirect("ballot_console", batch.ballot_id)
    with refused(request=request) as refusal:
        batch = services.set_aside_paper_count(
            actor=request.user, batch=batch, reason=form.cleaned_data["reason"]
        )
    if not refusal:
        done = (
            _("Batch %(label)s withdrawn.")
            if batch.status == PaperCount.Status.WITHDRAWN
            else _("Batch %(label)s rejected.")
        )
        messages.success(request, done % {"label": batch.label})
    return redirect("ballot_console", batch.ballot_id)


# ---------------------------------------------------------------------------
# Candidates and proxies
# ---------------------------------------------------------------------------


@ballot_writer
@require_POST
def ballot_nominate(request, pk: int):
    ballot = _ballot_for(request, pk)
    form = NominationForm(request.POST, options=access.may_run_ballot(request.user, ballot))
    if form.is_valid():
        data = form.cleaned_data
        member = data["member"]
        if data["myself"]:
            member = getattr(request.user, "member", None)
            if member is None:
                raise PermissionDenied(_("Only members may stand."))
        with refused(form=form) as refusal:
            candidate = services.nominate_candidate(
                actor=request.user,
                ballot=ballot,
                member=member,
                name="" if member else data["name"],
                statement=data["statement"],
            )
        if not refusal:
            if candidate.status == Candidate.Status.NOMINATED:
                text = _("%(name)s is nominated and must now accept the nomination.")
            else:
                text = _("%(name)s stands in this election.")
            messages.success(request, text % {"name": candidate.name})
            return redirect("ballot_detail", ballot.pk)
    return _render_detail(request, ballot, nomination_form=form, status=400)


def _candidate_step(request, pk: int, service, done: str):
    candidate = get_object_or_404(
        Candidate.objects.visible_to(request.user).select_related("ballot__body"), pk=pk
    )
    with refused(request=request) as refusal:
        service(actor=request.user, candidate=candidate)
    if not refusal:
        messages.success(request, done % {"name": candidate.name})
    return _back_to_ballot(request, candidate.ballot)


@ballot_writer
@require_POST
def candidate_consent(request, pk: int):
    return _candidate_step(
        request, pk, services.consent_to_nomination, _("%(name)s accepts the nomination.")
    )


@ballot_writer
@require_POST
def candidate_withdraw(request, pk: int):
    return _candidate_step(request, pk, services.withdraw_candidate, _("%(name)s has withdrawn."))


@ballot_writer
@require_POST
def proxy_give(request, pk: int):
    ballot = _ballot_for(request, pk)
    form = ProxyForm(request.POST)
    if form.is_valid():
        with refused(form=form) as refusal:
            proxy = services.give_proxy(
                actor=request.user, ballot=ballot, holder=form.cleaned_data["holder"]
            )
        if not refusal:
            messages.success(
                request,
                _("%(name)s now carries your proxy. You can revoke it until it is used.")
                % {"name": proxy.holder.full_name},
            )
            return redirect("ballot_detail", ballot.pk)
    return _render_detail(request, ballot, proxy_form=form, status=400)


@ballot_writer
@require_POST
def proxy_revoke(request, pk: int):
    proxy = get_object_or_404(
        Proxy.objects.visible_to(request.user).select_related("ballot__body"), pk=pk
    )
    with refused(request=request) as refusal:
        services.revoke_proxy(actor=request.user, proxy=proxy)
    if not refusal:
        messages.success(request, _("Your proxy is revoked: you may vote yourself."))
    return _back_to_ballot(request, proxy.ballot)
