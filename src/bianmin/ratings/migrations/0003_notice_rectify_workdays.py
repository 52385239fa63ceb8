from django.db import migrations, models


def backfill(apps, schema_editor):
    """Warnings issued before the field existed were given the configured number of days."""
    from bianmin.ratings.services.notices import rectify_workdays

    YearNotice = apps.get_model("ratings", "YearNotice")
    YearNotice.objects.filter(kind="warning").update(rectify_workdays=rectify_workdays())


class Migration(migrations.Migration):
    dependencies = [
        ("ratings", "0002_notice_deadline_provisional"),
    ]

    operations = [
        migrations.AddField(
            model_name="yearnotice",
            name="rectify_workdays",
            field=models.PositiveSmallIntegerField(
                blank=True, null=True, verbose_name="整改时限（工作日）"
            ),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
