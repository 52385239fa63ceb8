from __future__ import annotations

import datetime as dt

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationConfig(AppConfig):
    name = "bianmin.evaluation"
    label = "evaluation"
    verbose_name = _("好差评与投诉")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from bianmin.core import jobs
        from bianmin.evaluation import lifeevents
        from bianmin.evaluation.services.corrections import correct_provisional_deadlines

        lifeevents.register()
        # Hourly, as the cases' deadline sweep: a year's holiday notice published today shows
        # in the rectification and complaint deadlines within the hour.
        jobs.register(
            "evaluation.provisional_deadlines",
            correct_provisional_deadlines,
            every=dt.timedelta(hours=1),
        )
