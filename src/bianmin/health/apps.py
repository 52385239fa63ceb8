from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HealthConfig(AppConfig):
    name = "bianmin.health"
    label = "health"
    verbose_name = _("居民健康档案")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from bianmin.health.services import lifecycle

        lifecycle.register()
        try:
            from bianmin.health import wiring
        except ImportError:  # pages not there yet
            return
        wiring.register()
