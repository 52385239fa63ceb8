"""The list index of people gains `id`: the 人口库 list's whole ORDER BY, and an area's capped
count joined to a tag becomes an index-only scan (bench/RESULTS.md, staff register lists).
Created before the old one is dropped, so lists keep an index throughout."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0003_index_diet"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="person",
            index=models.Index(fields=["area_code", "name", "id"], name="registry_person_list"),
        ),
        migrations.RemoveIndex(
            model_name="person",
            name="registry_pe_area_co_1b82fe_idx",
        ),
    ]
