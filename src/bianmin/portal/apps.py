from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "bianmin.portal"
    label = "portal"
    verbose_name = _("网上办事大厅（居民）")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from bianmin.portal import lifeevents

        lifeevents.register()
