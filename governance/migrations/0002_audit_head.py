"""The audit chain's head row exists from the start, so the first writers have a row to lock."""

from django.db import migrations


def create_head(apps, schema_editor):
    AuditHead = apps.get_model("governance", "AuditHead")
    AuditHead.objects.get_or_create(id=1, defaults={"sequence": 0, "hash": "0" * 64})


class Migration(migrations.Migration):
    dependencies = [("governance", "0001_initial")]
    operations = [migrations.RunPython(create_head, migrations.RunPython.noop)]
