"""Motions, amendments, statute amendments and submissions to the International Council."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MotionsConfig(AppConfig):
    name = "motions"
    verbose_name = _("Motions")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The voting engine cannot import motions (it is the lower layer), so it signals
        # a counted or cancelled ballot and motions moves the motion on in the same
        # transaction.
        from elections.signals import ballot_cancelled, ballot_counted
        from motions import auditing, demo, services  # noqa: F401  (demo connects its receiver)

        auditing.register()  # the motion in decision trails, the Board's steps as officer actions

        def on_ballot_counted(sender, ballot, decision, actor, **kwargs):
            services.apply_count(actor=actor, ballot=ballot, decision=decision)

        ballot_counted.connect(on_ballot_counted, dispatch_uid="motions.apply_count", weak=False)

        def on_ballot_cancelled(sender, ballot, actor, **kwargs):
            services.apply_cancellation(actor=actor, ballot=ballot)

        ballot_cancelled.connect(
            on_ballot_cancelled, dispatch_uid="motions.apply_cancellation", weak=False
        )
