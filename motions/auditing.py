"""What the motions app adds to the auditors' tools: a decision's motion (its versions, amendments,
co-sponsors and IC submission) in the decision's trail, and which motion steps need an officer.

Registered from `MotionsConfig.ready()` through governance's registries (imports point down).
"""

from __future__ import annotations

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from governance.audit.anomalies import bodies_by_id, register_officer_actions
from governance.audit.trail import (
    AuditRef,
    TrailContribution,
    TrailSection,
    register_trail_provider,
)
from governance.models import Decision
from motions.models import Amendment, FollowUp, ICSubmission, Motion

#: Steps taken for the deciding body by its Board (or the chair); the standing-orders
#: committee's rulings and the proposer's steps are not "officer of the body" actions.
OFFICER_MOTION_ACTIONS = frozenset(
    {
        "motion.schedule",
        "motion.refer",
        "motion.put_to_vote",
        "motion.forward",
        "motion.ic_adopted",
        "motion.ic_rejected",
        "motion.ic_withdrawn",
    }
)


def _motion_section(motion: Motion, versions, amendments, supporters: int) -> TrailSection:
    facts = [
        (_("Reference"), motion.reference),
        (_("Kind"), motion.get_kind_display()),
        (_("Proposer"), motion.proposer.full_name),
        (_("Submitted"), motion.submitted_at),
        (_("Co-sponsors"), supporters),
        (_("Status"), motion.get_status_display()),
    ]
    facts += [
        (_("Version %(n)s") % {"n": v.number}, f"{v.created_at:%Y-%m-%d %H:%M} — {v.title}")
        for v in versions
    ]
    facts += [
        (
            _("Amendment %(label)s") % {"label": a.label},
            a.get_status_display() + (f" ({a.decision.reference})" if a.decision_id else ""),
        )
        for a in amendments
    ]
    if motion.final_text:
        facts.append((_("Final text put to the vote"), motion.final_text))
    return TrailSection(
        key="motion",
        title=_("Motion %(reference)s: %(title)s")
        % {"reference": motion.reference, "title": motion.title},
        occurred_at=motion.created_at,
        facts=facts,
        links=[
            (_("Motion page"), reverse("motion_detail", args=[motion.pk])),
            (
                _("Compare the first and last versions"),
                reverse("motion_compare", args=[motion.pk])
                + f"?a=1&b={motion.current_version.number}",
            ),
        ],
    )


def motion_trail(decision: Decision) -> TrailContribution | None:
    """The motion a decision adopted or rejected (or the one an amended decision belongs to).

    Six queries whatever the number of versions, amendments and co-sponsors.
    """
    motion = (
        Motion.objects.select_related("current_version", "proposer")
        .filter(Q(decision=decision) | Q(amendments__decision=decision))
        .first()
    )
    if motion is None:
        return None
    versions = list(motion.versions.order_by("number"))
    amendments = list(
        motion.amendments.exclude(status=Amendment.Status.DRAFT)
        .select_related("decision")
        .order_by("number")
    )
    supporters = motion.supports.count()
    submission = ICSubmission.objects.filter(motion=motion).first()
    sections = [_motion_section(motion, versions, amendments, supporters)]
    refs = [AuditRef.to(motion)] + [AuditRef.to(a) for a in amendments]
    if submission is not None:
        sections.append(
            TrailSection(
                key="ic_submission",
                title=_("Submission to the International Council"),
                occurred_at=submission.forwarded_on,
                facts=[
                    (_("Forwarded on"), submission.forwarded_on),
                    (_("Co-sponsoring sections"), ", ".join(submission.cosponsoring_sections)),
                    (_("IC outcome"), submission.get_outcome_display() or _("awaited")),
                    (_("IC reference"), submission.ic_reference),
                ],
            )
        )
        refs.append(AuditRef.to(submission))
        refs += [
            AuditRef(FollowUp._meta.label_lower, str(pk))
            for pk in submission.follow_ups.values_list("pk", flat=True)
        ]
    return TrailContribution(sections=sections, audit_refs=refs)


def register() -> None:
    register_trail_provider("motions", motion_trail)
    register_officer_actions("motions.motion", OFFICER_MOTION_ACTIONS, bodies_by_id(Motion))
    register_officer_actions(
        "motions.amendment", {"amendment.put_to_vote"}, bodies_by_id(Amendment, "motion__body_id")
    )
