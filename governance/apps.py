"""The base domain: units, members, bodies, statutes, assemblies, decisions, audit log."""

from asgiref.local import Local
from django.apps import AppConfig
from django.core.signals import setting_changed
from django.utils.translation import gettext_lazy as _


def forget_task_backends(*, setting: str, **kwargs) -> None:
    """Make `override_settings(TASKS=...)` take effect, as it does for CACHES and DATABASES.

    Django 6.1 builds the task backends once per process and, unlike its caches, does not
    rebuild them when the setting changes. The demo command runs its tasks in process with
    that override even where a worker serves the queue (its addresses are fictitious).
    """
    if setting == "TASKS":
        from django.tasks import task_backends

        task_backends.__dict__.pop("settings", None)
        task_backends._connections = Local(task_backends.thread_critical)


class GovernanceConfig(AppConfig):
    name = "governance"
    verbose_name = _("Governance")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        setting_changed.connect(forget_task_backends, dispatch_uid="governance.forget_tasks")
        # allauth's hooks for a second factor added, removed or reset: an audit event each.
        from functools import partial

        from allauth.mfa import signals as mfa_signals

        from governance import checks  # noqa: F401 (registers the system checks)
        from governance.accounts.enrolment import record_change

        for name in ("added", "removed", "reset"):
            getattr(mfa_signals, f"authenticator_{name}").connect(
                partial(record_change, f"account.second_factor_{name}"),
                weak=False,
                dispatch_uid=f"governance.second_factor_{name}",
            )
