from __future__ import annotations

import datetime as dt

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgramsConfig(AppConfig):
    name = "bianmin.programs"
    label = "programs"
    verbose_name = _("随访服务项目")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from bianmin.core import jobs, lifecycle
        from bianmin.programs import events
        from bianmin.programs.services import auto_enrol_sweep

        lifecycle.register_handler(lifecycle.DEATH, "programs.exit_on_death", events.on_death)
        lifecycle.register_handler(
            lifecycle.MOVE_OUT, "programs.exit_on_move_out", events.on_move_out
        )
        lifecycle.register_handler(lifecycle.MOVE, "programs.follow_move", events.on_move)
        lifecycle.register_check("programs.follow_ups", events.check_follow_ups)
        jobs.register("programs.auto_enrol", auto_enrol_sweep, daily_at=dt.time(1, 30))
