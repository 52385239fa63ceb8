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
        from bianmin.core import demo, jobs, lifecycle, nav
        from bianmin.programs import events
        from bianmin.programs.demo import load_demo_programs
        from bianmin.programs.services import auto_enrol_sweep
        from bianmin.registry.models import Role

        lifecycle.register_handler(lifecycle.DEATH, "programs.exit_on_death", events.on_death)
        lifecycle.register_handler(
            lifecycle.MOVE_OUT, "programs.exit_on_move_out", events.on_move_out
        )
        lifecycle.register_handler(lifecycle.MOVE, "programs.follow_move", events.on_move)
        lifecycle.register_check("programs.follow_ups", events.check_follow_ups)
        jobs.register("programs.auto_enrol", auto_enrol_sweep, daily_at=dt.time(1, 30))
        # Health programs' demo data (order 60+) enrols on top of these definitions.
        demo.register("programs", load_demo_programs, order=50)
        field_roles = {Role.GRID_WORKER, Role.DOCTOR, Role.VILLAGE_AGENT, Role.SUPERVISOR}
        nav.register_staff(
            group=_("随访服务"),
            label=_("随访待办"),
            url_name="programs:due",
            icon="✓",
            roles=field_roles,
            order=40,
        )
        nav.register_staff(
            group=_("随访服务"),
            label=_("随访项目"),
            url_name="programs:list",
            icon="▤",
            roles=field_roles,
            order=41,
        )
