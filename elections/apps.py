"""The voting engine: ballots, electoral rolls, casting, counting and results."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ElectionsConfig(AppConfig):
    name = "elections"
    verbose_name = _("Elections and ballots")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from elections import auditing, demo  # noqa: F401  (demo connects its receiver)

        auditing.register()  # the ballot in decision trails, ballots closed early
