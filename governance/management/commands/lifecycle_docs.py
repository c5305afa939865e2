"""Write the lifecycle tables into docs/architecture.md, or check that they are there as built."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from governance import lifecycle

DOCS = Path(settings.BASE_DIR) / "docs" / "architecture.md"


class Command(BaseCommand):
    help = (
        "Render every lifecycle table (governance.lifecycle) between the markers of "
        "docs/architecture.md; with --check, only say whether the docs differ."
    )

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="Change nothing; fail if stale.")

    def handle(self, *args, check: bool, **options):
        text = DOCS.read_text(encoding="utf-8")
        rendered = lifecycle.render_markdown()
        if check:
            if lifecycle.docs_section(text) != rendered:
                raise CommandError(
                    "docs/architecture.md's lifecycle tables differ from the code: "
                    "run `manage.py lifecycle_docs`"
                )
            self.stdout.write("The lifecycle tables in docs/architecture.md are up to date.")
            return
        DOCS.write_text(lifecycle.with_docs_section(text, rendered), encoding="utf-8")
        self.stdout.write(f"Wrote {len(lifecycle.registered())} lifecycle tables to {DOCS}.")
