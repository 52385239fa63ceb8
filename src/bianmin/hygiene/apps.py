from __future__ import annotations

import datetime as dt

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HygieneConfig(AppConfig):
    name = "bianmin.hygiene"
    label = "hygiene"
    verbose_name = _("公共场所卫生量化分级")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from bianmin.core import demo, jobs, nav
        from bianmin.hygiene.demo import load_demo_hygiene
        from bianmin.hygiene.services.inspections import correct_provisional_deadlines
        from bianmin.hygiene.services.plans import plan_this_year
        from bianmin.registry.models import Role

        group = _("公共卫生")
        roles = {Role.DOCTOR, Role.SUPERVISOR}
        nav.register_staff(
            group=group,
            label=_("公共场所量化分级"),
            url_name="hygiene:places",
            icon="✚",
            roles=roles,
            order=85,
        )
        nav.register_staff(
            group=group,
            label=_("卫生监督检查日历"),
            url_name="hygiene:calendar",
            icon="▦",
            roles=roles,
            order=86,
        )
        jobs.register("hygiene.plan", plan_this_year, daily_at=dt.time(1, 30))
        # Hourly, as the cases' deadline sweep: a year's holiday notice published today shows
        # in the rectification dates (and re-inspections) within the hour.
        jobs.register(
            "hygiene.provisional_deadlines",
            correct_provisional_deadlines,
            every=dt.timedelta(hours=1),
        )
        demo.register("hygiene", load_demo_hygiene, order=40)
