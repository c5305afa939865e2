"""What the voting engine adds to the auditors' tools: a decision's ballot in its trail, ballots
closed early in the anomaly report, and which ballot actions need an officer of the body.

Registered from `ElectionsConfig.ready()` through governance's registries, so governance
never imports the voting engine (imports point down the layers).
"""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import Count, F
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from elections import integrity
from elections.models import Ballot, PaperCount, Participation, RollEntry
from governance.audit.actions import register_labels
from governance.audit.anomalies import (
    Anomaly,
    bodies_by_id,
    register_anomaly_check,
    register_officer_actions,
)
from governance.audit.trail import (
    AuditRef,
    TrailContribution,
    TrailSection,
    register_trail_provider,
)
from governance.models import Decision
from governance.statutes.text import figure_items

OFFICER_BALLOT_ACTIONS = frozenset(
    {
        "ballot.created",
        "ballot.opened",
        "ballot.closed",
        "ballot.tally_retried",
        "ballot.counted",
        "ballot.published",
        "ballot.cancelled",
    }
)


def ballot_trail(decision: Decision) -> TrailContribution | None:
    """The ballot that produced the decision: electorate, turnout, method, figures, files.

    Six queries whatever the size of the ballot; the votes' own events are counted, not listed.
    """
    ballot = Ballot.objects.filter(decision=decision).first()
    if ballot is None:
        return None
    roll_size = ballot.roll.count()
    took_part = ballot.participations.count()
    batches = list(ballot.paper_counts.values_list("pk", "papers", "confirmed_by_id"))
    candidates = list(ballot.candidates.values_list("pk", flat=True))
    proxies = list(ballot.proxies.values_list("pk", flat=True))
    paper_count = sum(papers for _pk, papers, confirmed in batches if confirmed)
    result = ballot.result or {}
    figures = result.get("figures", {})
    facts = [
        (_("Ballot"), ballot.title),
        (_("Kind"), ballot.get_kind_display()),
        (_("Method"), ballot.get_method_display()),
        (_("Secret"), _("yes") if ballot.secret else _("no (named votes)")),
        (_("Electorate (frozen roll)"), roll_size),
        (
            _("Turnout"),
            _("%(took_part)s of %(roll)s (%(online)s online, %(paper)s on paper)")
            % {
                "took_part": took_part + paper_count,
                "roll": roll_size,
                "online": took_part,
                "paper": paper_count,
            },
        ),
        (_("Opened"), ballot.opened_at),
        (_("Announced closing"), ballot.closes_at),
        (_("Closed"), ballot.closed_at),
        (_("Status"), ballot.get_status_display()),
    ]
    facts += figure_items({k: v for k, v in figures.items() if k != "method"})
    links = []
    if ballot.result and ballot.status in (Ballot.Status.COUNTED, Ballot.Status.PUBLISHED):
        links.append((_("Results and count"), reverse("ballot_results", args=[ballot.pk])))
    if ballot.status == Ballot.Status.PUBLISHED:
        links.append(
            (_("Papers for a recount (JSON)"), reverse("ballot_papers_json", args=[ballot.pk]))
        )
        if ballot.ranked:
            links.append(
                (_("Papers for a recount (BLT)"), reverse("ballot_papers_blt", args=[ballot.pk]))
            )
    links.append((_("Ballot page"), reverse("ballot_detail", args=[ballot.pk])))
    section = TrailSection(
        key="ballot",
        title=_("Ballot: %(title)s") % {"title": ballot.title},
        occurred_at=ballot.opened_at or ballot.opens_at,
        facts=facts,
        links=links,
        template="elections/trail_ballot.html",
        context={"ballot": ballot, "rules": decision.rule_snapshot},
    )
    refs = [AuditRef.to(ballot, summarise={"ballot.vote_cast"})]
    refs += [AuditRef("elections.candidate", str(pk)) for pk in candidates]
    refs += [AuditRef("elections.proxy", str(pk)) for pk in proxies]
    refs += [AuditRef("elections.papercount", str(pk)) for pk, _papers, _c in batches]
    return TrailContribution(sections=[section], audit_refs=refs)


def ballots_closed_early() -> Iterator[Anomaly]:
    """Ballots closed before their announced time while voters on the roll had not voted.

    Closing early once every voter on the frozen roll has voted takes no one's vote away
    (a Board's roll call, typically), so it is not reported. Three queries.
    """
    early = list(
        Ballot.objects.filter(closed_at__isnull=False, closed_at__lt=F("closes_at")).order_by(
            "closed_at"
        )
    )
    ids = [ballot.pk for ballot in early]
    rolls = dict(
        RollEntry.objects.filter(ballot__in=ids)
        .values("ballot")
        .annotate(n=Count("pk"))
        .values_list("ballot", "n")
    )
    voted = dict(
        Participation.objects.filter(ballot__in=ids)
        .values("ballot")
        .annotate(n=Count("pk"))
        .values_list("ballot", "n")
    )
    for ballot in early:
        roll, took_part = rolls.get(ballot.pk, 0), voted.get(ballot.pk, 0)
        if roll and took_part >= roll:
            continue
        yield Anomaly(
            "ballot_closed_early",
            ballot.title,
            _(
                "closed at %(closed)s, before the announced %(closes)s, when %(took_part)s of "
                "the %(roll)s voters on its roll had voted"
            )
            % {
                "closed": date_format(timezone.localtime(ballot.closed_at), "DATETIME_FORMAT"),
                "closes": date_format(timezone.localtime(ballot.closes_at), "DATETIME_FORMAT"),
                "took_part": took_part,
                "roll": roll,
            },
            timezone.localdate(ballot.closed_at),
            reverse("ballot_detail", args=[ballot.pk]),
        )


def ballot_counts() -> Iterator[Anomaly]:
    """Counted ballots whose stored figures do not add up, or differ from their decision's.

    Papers = participations online, took part <= entitled, one `ballot.vote_cast` event per
    participation (`integrity.unaudited_votes`), and the decision's turnout and electorate =
    the stored ones (the recount of the papers is `recount_published`'s). Nine queries
    whatever the number of ballots.
    """
    counted = list(
        Ballot.objects.filter(status__in=[Ballot.Status.COUNTED, Ballot.Status.PUBLISHED])
        .select_related("decision")
        .order_by("pk")
    )
    ids = [ballot.pk for ballot in counted]
    figures = integrity.turnouts(ids)
    unaudited = integrity.unaudited_votes(ids)
    for ballot in counted:
        stored = figures[ballot.pk]
        problems = unaudited.get(ballot.pk, []) + integrity.turnout_problems(stored)
        if ballot.decision is not None:
            problems += integrity.figure_differences(
                ballot.decision.figures,
                recount={},
                figures=stored,
                names={},
                quorum_eligible=ballot.quorum_eligible,
            )
        if problems:
            yield Anomaly(
                "ballot_count",
                ballot.decision.reference if ballot.decision else ballot.title,
                "; ".join(problems),
                ballot.decision.decided_on if ballot.decision else None,
                reverse("ballot_detail", args=[ballot.pk]),
            )


ACTION_LABELS = {
    "ballot.created": gettext_lazy("Ballot drafted"),
    "ballot.trustees_appointed": gettext_lazy("Ballot trustees appointed"),
    "ballot.opened": gettext_lazy("Ballot opened"),
    "ballot.reminder_sent": gettext_lazy("Ballot reminder sent"),
    "ballot.vote_cast": gettext_lazy("Vote cast"),
    "ballot.closed": gettext_lazy("Ballot closed"),
    "ballot.tally_prepared": gettext_lazy("Tally prepared"),
    "ballot.tally_failed": gettext_lazy("Tally failed"),
    "ballot.tally_retried": gettext_lazy("Tally retried"),
    "ballot.counted": gettext_lazy("Ballot counted"),
    "ballot.published": gettext_lazy("Results published"),
    "ballot.cancelled": gettext_lazy("Ballot cancelled"),
    "candidate.nominated": gettext_lazy("Candidate nominated"),
    "candidate.consented": gettext_lazy("Candidate consented"),
    "candidate.withdrawn": gettext_lazy("Candidate withdrawn"),
    "paper_count.entered": gettext_lazy("Paper count entered"),
    "paper_count.confirmed": gettext_lazy("Paper count confirmed"),
    "paper_count.withdrawn": gettext_lazy("Paper count withdrawn"),
    "paper_count.rejected": gettext_lazy("Paper count rejected"),
    "proxy.given": gettext_lazy("Proxy given"),
    "proxy.revoked": gettext_lazy("Proxy revoked"),
    "trustee.transport_key": gettext_lazy("Trustee's transport key published"),
    "trustee.dealing": gettext_lazy("Trustee's dealing published"),
    "trustee.share_key": gettext_lazy("Trustee's share key published"),
    "trustee.decrypted": gettext_lazy("Trustee's decryption shares published"),
}


def register() -> None:
    register_labels(ACTION_LABELS)
    register_trail_provider("elections", ballot_trail)
    register_anomaly_check("ballot_closed_early", ballots_closed_early)
    register_anomaly_check("ballot_count", ballot_counts)
    register_officer_actions("elections.ballot", OFFICER_BALLOT_ACTIONS, bodies_by_id(Ballot))
    register_officer_actions(
        "elections.papercount",
        {
            "paper_count.entered",
            "paper_count.confirmed",
            "paper_count.withdrawn",
            "paper_count.rejected",
        },
        bodies_by_id(PaperCount, "ballot__body_id"),
    )
