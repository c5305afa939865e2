"""Print every anomaly of the record; exit 0 when there is none, 1 when there are some."""

import json

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from governance.audit import anomalies


class Command(BaseCommand):
    help = (
        "Check the stored record for anomalies: decisions whose figures do not satisfy the rules "
        "they cite, overlapping mandates or mandates beyond the term limits, ballots closed "
        "before their announced time, and actions by accounts without the role at the time. "
        "Exits 1 when any is found."
    )

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="one JSON object per line")

    def handle(self, *args, json: bool = False, **options):
        found = anomalies.report()
        for anomaly in found:
            if json:
                self.stdout.write(_dumps(anomaly.as_dict()))
            else:
                when = anomaly.on.isoformat() if anomaly.on else "-"
                self.stdout.write(f"[{anomaly.kind}] {when} {anomaly.subject}: {anomaly.message}")
        if found:
            raise CommandError(
                ngettext("%(count)s anomaly found", "%(count)s anomalies found", len(found))
                % {"count": len(found)},
                returncode=1,
            )
        self.stdout.write(self.style.SUCCESS(_("no anomaly found")))


def _dumps(data) -> str:
    return json.dumps(data, ensure_ascii=False, sort_keys=True)
