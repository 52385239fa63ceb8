from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RatingsConfig(AppConfig):
    name = "bianmin.ratings"
    label = "ratings"
    verbose_name = _("星级评定")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        import datetime as dt

        from bianmin.core import demo, jobs, nav
        from bianmin.ratings.demo import load_demo_ratings
        from bianmin.ratings.services.notices import correct_provisional_deadlines
        from bianmin.registry.models import Role

        group = _("星级评定")
        nav.register_staff(
            group=group,
            label=_("月度星级评定"),
            url_name="ratings:month",
            icon="★",
            roles={Role.SUPERVISOR, Role.WINDOW_CLERK, Role.VILLAGE_AGENT},
            order=80,
        )
        nav.register_staff(
            group=group,
            label=_("奖励与警告名单"),
            url_name="ratings:lists",
            icon="⚑",
            roles={Role.SUPERVISOR},
            order=81,
        )
        # Hourly, as the cases' deadline sweep corrects case due dates: a year's holiday
        # notice published today shows in the warnings' deadlines within the hour.
        jobs.register(
            "ratings.provisional_deadlines",
            correct_provisional_deadlines,
            every=dt.timedelta(hours=1),
        )
        # After the cases and 好差评 demo data, whose figures the ratings use.
        demo.register("ratings", load_demo_ratings, order=60)
