from __future__ import annotations

import datetime as dt

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExchangeConfig(AppConfig):
    name = "bianmin.exchange"
    label = "exchange"
    verbose_name = _("部门数据交换")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from bianmin.core import demo, jobs, nav
        from bianmin.exchange.demo import load_demo
        from bianmin.exchange.signing import forget_old_nonces

        admin_only = {"admin"}
        nav.register_staff(
            group=_("部门数据交换"),
            label=_("交换待处理记录"),
            url_name="exchange:dead-letters",
            icon="⚠",
            roles=admin_only,
            order=80,
        )
        nav.register_staff(
            group=_("部门数据交换"),
            label=_("推送日志"),
            url_name="exchange:pushes",
            icon="⇄",
            roles=admin_only,
            order=81,
        )
        nav.register_staff(
            group=_("部门数据交换"),
            label=_("人员变动事件"),
            url_name="exchange:life-events",
            icon="✝",
            roles=admin_only,
            order=82,
        )
        nav.register_staff(
            group=_("部门数据交换"),
            label=_("户主空缺"),
            url_name="exchange:head-vacancies",
            icon="⌂",
            roles={"clerk", "grid", "admin"},
            order=83,
        )
        # A nonce older than twice the timestamp window can never be replayed successfully.
        jobs.register("exchange.nonces", forget_old_nonces, every=dt.timedelta(minutes=10))
        # After the registry's and the cases' demo data: deaths end some of the demo's cases.
        demo.register("exchange", load_demo, order=90)
