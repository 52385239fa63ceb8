from django.db import migrations

from bianmin.certificates.reference import load


class Migration(migrations.Migration):
    dependencies = [
        ("certificates", "0001_initial"),
        ("registry", "0002_reference_data"),
    ]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
