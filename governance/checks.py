"""System checks of the platform's own settings (`manage.py check`, run before every command
and at start-up): what a deployment lacks, said once and plainly instead of a traceback per
request or task."""

from __future__ import annotations

from django.core.checks import Tags, Warning, register


@register(Tags.security)
def audit_signing_key(app_configs=None, **kwargs) -> list[Warning]:
    """No key to sign the audit log's checkpoints with (docs/deploy.md, the audit signing key)."""
    from governance.audit import checkpoints

    if checkpoints.signing_configured():
        return []
    return [
        Warning(
            "No audit signing key is configured: no audit log checkpoint is e-mailed to the "
            "auditors after a decision, and whatever signs one (audit_checkpoint, the "
            "register's exports, the approval of minutes, the auditors' checkpoint page) "
            "fails until one is.",
            hint="Set AUDIT_SIGNING_KEY_FILE (or AUDIT_SIGNING_KEY): see 'The audit signing "
            "key' in docs/deploy.md.",
            id="governance.W001",
        )
    ]
