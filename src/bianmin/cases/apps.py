from __future__ import annotations

import datetime as dt

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "bianmin.cases"
    label = "cases"
    verbose_name = _("办件（一窗受理）")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from bianmin.cases.services.deadlines import sweep_deadlines
        from bianmin.core import jobs

        # Just after midnight, when levels change with the date, and hourly to catch the
        # day's pauses and extensions (idempotent: only a changed level writes).
        jobs.register(
            "cases.deadlines",
            sweep_deadlines,
            daily_at=dt.time(0, 30),
            every=dt.timedelta(hours=1),
        )
        from bianmin.cases import lifeevents

        lifeevents.register()  # life events: open cases of a deceased applicant end
