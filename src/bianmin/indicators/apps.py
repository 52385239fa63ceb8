from __future__ import annotations

import datetime as dt

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _sync_after_migrate(sender, using="default", **kwargs) -> None:
    from django.db import connections

    from bianmin.indicators.models import IndicatorDefinition
    from bianmin.indicators.services import sync_definitions

    # post_migrate fires for every app even when only another app was migrated (`migrate
    # core`): sync only once this app's table exists.
    if IndicatorDefinition._meta.db_table not in connections[using].introspection.table_names():
        return
    sync_definitions()


def _refresh_current_months() -> None:
    """Background job: incremental refresh of this month (and, in its first days, of the last
    month, whose late entries still arrive)."""
    from django.utils import timezone

    from bianmin.indicators.library import Period
    from bianmin.indicators.services import refresh

    today = timezone.localdate()
    period = Period.of(today)
    if today.day <= 5:
        refresh(period.previous())
    refresh(period)


def _area_left(event, actor) -> str | None:
    """Life event MOVE: the person's old area loses them, and no row of it changes."""
    from bianmin.indicators.models import TouchedArea

    old = ((event.data or {}).get("from") or {}).get("area_code")
    if not old:
        return None
    TouchedArea.objects.create(area_code=old, reason="move")
    return None


class IndicatorsConfig(AppConfig):
    name = "bianmin.indicators"
    label = "indicators"
    verbose_name = _("指标库")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from bianmin.core import jobs, lifecycle, nav
        from bianmin.indicators import library

        library.autodiscover()
        post_migrate.connect(_sync_after_migrate, sender=self)
        lifecycle.register_handler(lifecycle.MOVE, "indicators.area_left", _area_left)
        jobs.register("indicators.refresh", _refresh_current_months, every=dt.timedelta(hours=1))
        nav.register_staff(
            group=_("统计分析"),
            label=_("指标库"),
            url_name="indicators:library",
            icon="▤",
            order=60,
        )
        nav.register_staff(
            group=_("统计分析"),
            label=_("指标数据"),
            url_name="indicators:values",
            icon="▥",
            order=61,
        )
