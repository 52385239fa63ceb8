from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HealthConfig(AppConfig):
    name = "bianmin.health"
    label = "health"
    verbose_name = _("居民健康档案")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from bianmin.core import demo, nav
        from bianmin.health import programs, sharing
        from bianmin.health.demo import load_demo_health
        from bianmin.health.services import lifecycle
        from bianmin.registry.models import Role

        lifecycle.register()
        programs.register()
        sharing.register()
        demo.register("health", load_demo_health, order=60)
        doctors = {Role.DOCTOR}
        nav.register_staff(
            group=_("健康档案"),
            label=_("今日随访"),
            url_name="health:due",
            icon="✚",
            roles=doctors,
            order=40,
        )
        nav.register_staff(
            group=_("健康档案"),
            label=_("居民健康档案"),
            url_name="health:records",
            icon="▤",
            roles=doctors,
            order=41,
        )
        nav.register_staff(
            group=_("健康档案"),
            label=_("双向转诊"),
            url_name="health:referrals",
            icon="⇅",
            roles=doctors,
            order=42,
        )
        nav.register_staff(
            group=_("健康档案"),
            label=_("家庭医生签约"),
            url_name="health:contracts",
            icon="♡",
            roles=doctors,
            order=43,
        )
        nav.register_staff(
            group=_("健康档案"),
            label=_("健康档案指标"),
            url_name="health:indicators",
            icon="▥",
            roles={Role.DOCTOR, Role.SUPERVISOR},
            order=44,
        )
