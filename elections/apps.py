"""The voting engine: ballots, electoral rolls, casting, counting and results."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ElectionsConfig(AppConfig):
    name = "elections"
    verbose_name = _("Elections and ballots")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from elections import demo  # noqa: F401  (connects the demo receiver)
