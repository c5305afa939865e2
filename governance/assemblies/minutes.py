"""The minutes of an assembly as a PDF: the meeting, who attended, the quorum, every decision.

Reproducible: the same data and the same `generated_at` give the same bytes (the PDF's
creation date is `generated_at`, fpdf2's file identifier is a hash of the content, and
every list is in a fixed order), so a PDF can be checked by rendering it again. Only the
generation time, printed in the header and set as the creation date, differs between
two renderings of the same record.

The document, its fonts and its shaped Arabic, right to left, are governance.pdf's.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from governance import pdf
from governance.assemblies import services as assemblies
from governance.audit import checkpoints
from governance.models import Assembly, AssemblyProxy, Attendance, Decision, Rule
from governance.statutes.text import figure_items, scope_in_words


def _when(value: dt.datetime | None) -> str:
    return date_format(timezone.localtime(value), "DATETIME_FORMAT") if value else "—"


def _reference_order(decision: Decision) -> tuple:
    """``ORG 50/003/2026`` sorts by year, then number (not as text: 1000 comes after 999)."""
    subject, _sep, rest = decision.reference.partition("/")
    number, _sep, year = rest.partition("/")
    if number.isdigit() and year.isdigit():
        return (int(year), subject, int(number), decision.reference)
    return (0, decision.reference, 0, decision.reference)


def minutes_data(assembly: Assembly) -> dict[str, Any]:
    """Everything the minutes show, read in a constant number of queries."""
    assembly = Assembly.objects.with_context().get(pk=assembly.pk)
    attendances = list(Attendance.objects.filter(assembly=assembly).with_members())
    proxies = list(AssemblyProxy.objects.filter(assembly=assembly).live().with_members())
    decisions = sorted(
        Decision.objects.for_register().filter(assembly=assembly), key=_reference_order
    )
    return {
        "assembly": assembly,
        "present": [a for a in attendances if a.present],
        "left": [a for a in attendances if not a.present],
        "proxies": proxies,
        "quorum": assemblies.quorum_status(assembly),
        "decisions": decisions,
    }


def _outcome_text(outcome: dict | None) -> str:
    if not outcome:
        return _("not evaluated")
    figures = outcome.get("figures") or {}
    parts = [
        _("met") if outcome.get("satisfied") else _("not met"),
        _("threshold %(threshold)s") % {"threshold": outcome.get("threshold", "")},
    ]
    if "needed" in figures:
        parts.append(_("needed %(needed)s") % {"needed": figures["needed"]})
    return ", ".join(parts)


def _figures_text(figures: dict) -> str:
    return "; ".join(f"{label}: {value}" for label, value in figure_items(figures))


def render_minutes(assembly: Assembly, *, generated_at: dt.datetime) -> bytes:
    """The minutes of the assembly as PDF bytes, reproducible for the same data and `generated_at`."""
    data = minutes_data(assembly)
    assembly = data["assembly"]
    quorum = data["quorum"]
    title = _("Minutes: %(title)s") % {"title": assembly.translated("title")}
    doc = pdf.Document(title=title, created_at=generated_at, footer=title)

    doc.line(title, size=16, bold=True, height=9)
    doc.line(_("Generated %(when)s") % {"when": _when(generated_at)}, size=8)
    doc.space(2)
    doc.pair(
        _("Body"), f"{assembly.body.translated('name')} ({assembly.body.unit.translated('name')})"
    )
    doc.pair(_("Date"), _when(assembly.starts_at))
    if assembly.place:
        doc.pair(_("Place"), assembly.place)
    if assembly.online_link:
        doc.pair(_("Online"), assembly.online_link)
    doc.pair(
        _("Convocation"),
        _("first convocation") if assembly.convocation == 1 else _("second convocation"),
    )
    doc.pair(_("Convened on"), date_format(assembly.convened_on, "DATE_FORMAT"))
    doc.pair(_("Status"), str(assembly.get_status_display()))
    if assembly.opened_at:
        doc.pair(_("Session opened"), _when(assembly.opened_at))
    if assembly.closed_at:
        doc.pair(_("Session closed"), _when(assembly.closed_at))
    if assembly.cancel_reason:
        doc.pair(_("Reason for cancelling"), assembly.cancel_reason)
    if assembly.agenda:
        doc.heading(_("Agenda"))
        doc.line(assembly.translated("agenda"))

    doc.heading(_("Attendance"))
    recorded = bool(data["present"] or data["left"] or data["proxies"])
    if not recorded:
        doc.line(_("No attendance was recorded at the door for this meeting."))
    doc.pair(_("Entitled to vote"), str(quorum.eligible))
    doc.pair(_("Present"), str(quorum.present))
    doc.pair(_("Represented by proxy"), str(quorum.represented))
    doc.pair(_("Took part"), str(quorum.took_part))
    if data["present"]:
        doc.line(_("Members present"), bold=True)
        for attendance in data["present"]:
            member = attendance.member
            doc.line(f"{member.full_name} ({member.membership_number})", size=9, height=4.5)
    if data["left"]:
        doc.line(_("Members who left before the close"), bold=True)
        for attendance in data["left"]:
            member = attendance.member
            doc.line(
                f"{member.full_name} ({member.membership_number}) · {_when(attendance.checked_out_at)}",
                size=9,
                height=4.5,
            )
    if data["proxies"]:
        doc.line(_("Proxies"), bold=True)
        for proxy in data["proxies"]:
            # In words, not an arrow: an arrow does not turn round in a right-to-left line.
            doc.line(
                _("%(giver)s gave a proxy to %(holder)s")
                % {
                    "giver": f"{proxy.giver.full_name} ({proxy.giver.membership_number})",
                    "holder": f"{proxy.holder.full_name} ({proxy.holder.membership_number})",
                },
                size=9,
                height=4.5,
            )

    doc.heading(_("Quorum"))
    if not recorded and data["decisions"]:
        doc.line(_("The quorum of each vote is recorded with its decision below."))
    elif quorum.rule is None:
        doc.line(_("The statutes set no quorum for this meeting."))
    else:
        doc.line(
            _(
                "Article %(article)s, statutes version %(version)s: %(threshold)s of the members "
                "entitled to vote on %(convocation)s convocation."
            )
            % {
                "article": quorum.article,
                "version": quorum.statute_version,
                "threshold": quorum.outcome.threshold,
                "convocation": _("first") if quorum.convocation == 1 else _("second"),
            }
        )
        doc.line(
            _("%(took_part)s took part of %(eligible)s entitled; %(needed)s needed: %(result)s.")
            % {
                "took_part": quorum.took_part,
                "eligible": quorum.eligible,
                "needed": quorum.needed,
                "result": _("quorum met") if quorum.satisfied else _("quorum not met"),
            }
        )

    doc.heading(_("Decisions"))
    if not data["decisions"]:
        doc.line(_("No decision is recorded for this assembly."))
    for decision in data["decisions"]:
        doc.space(1)
        doc.line(f"{decision.reference} · {decision.title}", size=10, bold=True)
        doc.pair(_("Outcome"), str(decision.get_outcome_display()))
        doc.pair(
            _("Under"),
            _("article %(article)s (%(title)s), statutes version %(version)s")
            % {
                "article": decision.article.number,
                "title": decision.article.translated("title"),
                "version": decision.statute_version.number,
            },
        )
        for applied in decision.rule_snapshot or []:
            doc.line(
                _("Rule %(kind)s (%(scope)s), article %(article)s: %(outcome)s")
                % {
                    "kind": str(dict(Rule.Kind.choices).get(applied.get("kind"), "")).lower(),
                    "scope": scope_in_words(applied.get("scope", "")),
                    "article": applied.get("article", ""),
                    "outcome": _outcome_text(applied.get("outcome")),
                },
                size=9,
                height=4.5,
            )
        if decision.figures:
            doc.line(
                _("Figures: %(figures)s") % {"figures": _figures_text(decision.figures)},
                size=9,
                height=4.5,
            )

    doc.heading(_("Approval of the minutes"))
    approvals = list(assembly.minutes_approvals.all())
    if not approvals:
        doc.line(_("Not approved yet."))
    for approval in approvals:
        signed = checkpoints.parse(approval.checkpoint)[0]
        doc.line(
            _(
                "%(role)s: %(name)s, %(when)s, with the second factor; audit log then: "
                "%(size)s events, root %(root)s"
            )
            % {
                "role": approval.get_role_display(),
                "name": approval.signer_name,
                "when": _when(approval.approved_at),
                "size": signed.size,
                "root": signed.root_hex,
            },
            size=9,
            height=4.5,
        )

    doc.heading(_("Audit log checkpoint"))
    doc.line(
        _(
            "These minutes were drawn from the audit log as this signed checkpoint records it. "
            "To check that the log still extends it, paste it on the auditors' page or run "
            "manage.py verify_audit --checkpoint FILE."
        ),
        size=9,
        height=4.5,
    )
    doc.small_lines(checkpoints.signed_current(at=generated_at))
    return doc.output()
