"""Approving the minutes: the chair and the secretary, each with their second factor."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from governance.audit import log as audit
from governance.exceptions import DomainError, NotAllowed
from governance.models import Assembly, Body
from governance.permissions import ensure_may_write


def minutes_signing_role(user, assembly: Assembly) -> str | None:
    """ "chair" or "secretary" if the user holds that office, on the meeting's day, on the
    meeting's body or on the Board of its unit (which chairs and minutes its meetings)."""
    from governance.models import Mandate

    if not user.is_authenticated:
        return None
    on = timezone.localdate(assembly.starts_at)
    offices = set(
        Mandate.objects.current(on)
        .filter(member__user=user, role__in=["chair", "secretary"])
        .filter(
            Q(body=assembly.body)
            | Q(body__unit_id=assembly.body.unit_id, body__kind=Body.Kind.BOARD)
        )
        .values_list("role", flat=True)
    )
    return "chair" if "chair" in offices else ("secretary" if offices else None)


def approve_minutes(*, actor, assembly: Assembly, code: str):
    """The chair or the secretary approves a closed meeting's minutes with their second factor.

    The code from their authenticator app (TOTP through allauth's MFA) is checked here, at
    the moment of signing, whatever their session; the approval keeps the signed audit
    checkpoint of the log as it stands, which the minutes then print with the signer and the
    time. Each office approves once; the approval is an audit event.
    """
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP

    from governance.audit import checkpoints
    from governance.models import MinutesApproval

    ensure_may_write(actor)
    role = minutes_signing_role(actor, assembly)
    if role is None:
        raise NotAllowed(_("Only the chair and the secretary approve the minutes."))
    if assembly.minutes_approvals.filter(role=role).exists():  # before spending the code
        raise DomainError(_("The minutes were already approved in this office."))
    try:
        checkpoints.signing_key()  # before spending the code: the approval keeps a signature
    except checkpoints.SigningKeyError:
        raise DomainError(
            _(
                "The minutes cannot be approved yet: the platform has no audit signing key to "
                "sign the checkpoint they keep. Ask its administrator to configure it."
            )
        ) from None
    authenticator = Authenticator.objects.filter(user=actor, type=Authenticator.Type.TOTP).first()
    if authenticator is None or not TOTP(authenticator).validate_code((code or "").strip()):
        raise DomainError(_("This code from your authenticator app is not valid."), field="code")
    with transaction.atomic():
        assembly = Assembly.objects.select_for_update().get(pk=assembly.pk)
        if assembly.status != Assembly.Status.CLOSED:
            raise DomainError(_("The minutes are approved once the session is closed."))
        if assembly.minutes_approvals.filter(role=role).exists():
            raise DomainError(_("The minutes were already approved in this office."))
        approval = MinutesApproval.objects.create(
            assembly=assembly,
            role=role,
            approved_by=actor,
            signer_name=actor.member.full_name if getattr(actor, "member", None) else actor.email,
            approved_at=timezone.now(),
            checkpoint=checkpoints.signed_current(),
        )
        signed = checkpoints.parse(approval.checkpoint)[0]
        audit.record(
            actor,
            "minutes.approved",
            assembly,
            new={
                "role": role,
                "signer": approval.signer_name,
                "approved_at": approval.approved_at,
                "checkpoint_size": signed.size,
                "checkpoint_root": signed.root_hex,
            },
        )
    return approval
