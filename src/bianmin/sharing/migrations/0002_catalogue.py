"""The shared-data catalogue (reference data, `sharing/reference.py`)."""

from django.db import migrations


def load(apps, schema_editor):
    from bianmin.sharing.reference import ITEMS

    Item = apps.get_model("sharing", "SharedDataItem")
    for code, name, owner, sensitivity, fields, sort in ITEMS:
        Item.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "owner_id": owner,
                "sensitivity": sensitivity,
                "fields": fields,
                "sort": sort,
            },
        )


class Migration(migrations.Migration):
    dependencies = [
        ("sharing", "0001_initial"),
        ("registry", "0002_reference_data"),
    ]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
