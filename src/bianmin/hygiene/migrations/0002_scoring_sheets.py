"""Reference data: the scoring sheet of every type of public place (hygiene/reference.py)."""

from django.db import migrations


def load(apps, schema_editor):
    from bianmin.hygiene.reference import load as load_sheets

    load_sheets(apps)


class Migration(migrations.Migration):
    dependencies = [("hygiene", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
