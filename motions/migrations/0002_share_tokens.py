"""Drafts get an unguessable share token: added nullable, filled row by row, then required."""

from django.db import migrations, models

import motions.models


def fill_tokens(apps, schema_editor):
    for name in ("Motion", "Amendment"):
        model = apps.get_model("motions", name)
        for row in model.objects.filter(share_token__isnull=True).only("pk"):
            row.share_token = motions.models.new_share_token()
            row.save(update_fields=["share_token"])


def token_field(**extra):
    return models.CharField(
        editable=False,
        help_text="A draft is read by those given its share link, which holds this token.",
        max_length=64,
        verbose_name="share token",
        **extra,
    )


class Migration(migrations.Migration):
    dependencies = [("motions", "0001_initial")]

    operations = [
        migrations.AddField("motion", "share_token", token_field(null=True)),
        migrations.AddField("amendment", "share_token", token_field(null=True)),
        migrations.RunPython(fill_tokens, migrations.RunPython.noop),
        migrations.AlterField(
            "motion",
            "share_token",
            token_field(default=motions.models.new_share_token, unique=True),
        ),
        migrations.AlterField(
            "amendment",
            "share_token",
            token_field(default=motions.models.new_share_token, unique=True),
        ),
    ]
