"""What the motions app adds to the auditors' tools: a decision's motion (its versions, amendments,
co-sponsors and IC submission) in the decision's trail, and which motion steps need an officer.

Registered from `MotionsConfig.ready()` through governance's registries (imports point down).
"""

from __future__ import annotations

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from governance.audit.actions import register_labels
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


ACTION_LABELS = {
    "motion.drafted": gettext_lazy("Motion drafted"),
    "motion.edited": gettext_lazy("Motion edited"),
    "motion.submit": gettext_lazy("Motion submitted"),
    "motion.withdraw": gettext_lazy("Motion withdrawn"),
    "motion.admit": gettext_lazy("Motion admitted"),
    "motion.reject_admissibility": gettext_lazy("Motion found inadmissible"),
    "motion.schedule": gettext_lazy("Motion put on the agenda"),
    "motion.assembly_changed": gettext_lazy("Motion moved to another assembly"),
    "motion.refer": gettext_lazy("Motion referred"),
    "motion.put_to_vote": gettext_lazy("Motion put to the vote"),
    "motion.adopt": gettext_lazy("Motion adopted"),
    "motion.reject": gettext_lazy("Motion rejected"),
    "motion.no_quorum": gettext_lazy("Motion: no quorum"),
    "motion.vote_cancelled": gettext_lazy("Motion's vote cancelled"),
    "motion.forward": gettext_lazy("Motion forwarded to the International Council"),
    "motion.ic_adopted": gettext_lazy("Adopted by the International Council"),
    "motion.ic_rejected": gettext_lazy("Rejected by the International Council"),
    "motion.ic_withdrawn": gettext_lazy("Withdrawn at the International Council"),
    "ic_submission.created": gettext_lazy("International Council submission created"),
    "ic_follow_up.added": gettext_lazy("International Council follow-up added"),
    "voting_mandate.proposed": gettext_lazy("Voting mandate proposed"),
    "amendment.drafted": gettext_lazy("Amendment drafted"),
    "amendment.submit": gettext_lazy("Amendment submitted"),
    "amendment.withdraw": gettext_lazy("Amendment withdrawn"),
    "amendment.admit": gettext_lazy("Amendment admitted"),
    "amendment.reject_admissibility": gettext_lazy("Amendment found inadmissible"),
    "amendment.put_to_vote": gettext_lazy("Amendment put to the vote"),
    "amendment.adopt": gettext_lazy("Amendment adopted"),
    "amendment.reject": gettext_lazy("Amendment rejected"),
    "amendment.no_quorum": gettext_lazy("Amendment: no quorum"),
    "amendment.vote_cancelled": gettext_lazy("Amendment's vote cancelled"),
    "amendment.fell": gettext_lazy("Amendment fell"),
    "support.given": gettext_lazy("Support given"),
    "support.withdrawn": gettext_lazy("Support withdrawn"),
    "speaker.added": gettext_lazy("Speaker added"),
    "speaker.asked": gettext_lazy("Asked to speak"),
    "speaker.speaking": gettext_lazy("Speaker given the floor"),
    "speaker.done": gettext_lazy("Speaker has spoken"),
    "speaker.withdrawn": gettext_lazy("Speaker withdrawn"),
}


def register() -> None:
    register_labels(ACTION_LABELS)
    register_trail_provider("motions", motion_trail)
    register_officer_actions("motions.motion", OFFICER_MOTION_ACTIONS, bodies_by_id(Motion))
    register_officer_actions(
        "motions.amendment", {"amendment.put_to_vote"}, bodies_by_id(Amendment, "motion__body_id")
    )
