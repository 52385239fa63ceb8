from django.db import migrations


def load(apps, schema_editor):
    from bianmin.registry.reference import DEPARTMENTS, TAGS

    Department = apps.get_model("registry", "Department")
    Tag = apps.get_model("registry", "Tag")
    for code, name, short in DEPARTMENTS:
        Department.objects.update_or_create(code=code, defaults={"name": name, "short_name": short})
    for code, name, category, min_age, max_age, restricted, sort in TAGS:
        Tag.objects.update_or_create(
            code=code,
            defaults={
                "name": name, "category": category, "derived": min_age is not None,
                "min_age": min_age, "max_age": max_age, "restricted_to_id": restricted,
                "sort": sort,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
