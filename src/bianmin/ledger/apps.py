from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LedgerConfig(AppConfig):
    name = "bianmin.ledger"
    label = "ledger"
    verbose_name = _("电子台帐")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from bianmin.core import demo, nav
        from bianmin.ledger.demo import load_demo
        from bianmin.registry.models import Role

        group = _("电子台帐")
        nav.register_staff(
            group=group, label=_("台帐报表"), url_name="ledger:reports", icon="▤", order=60
        )
        nav.register_staff(
            group=group,
            label=_("一个社区一本台帐"),
            url_name="ledger:community",
            icon="▥",
            order=61,
        )
        nav.register_staff(
            group=group, label=_("待我审核"), url_name="ledger:inbox", icon="✓", order=62
        )
        nav.register_staff(
            group=group,
            label=_("报表模板"),
            url_name="ledger:templates",
            icon="✎",
            roles={Role.SUPERVISOR, Role.ADMIN},
            order=63,
        )
        nav.register_staff(
            group=group,
            label=_("数据看板"),
            url_name="ledger:dashboard",
            icon="◔",
            roles={Role.SUPERVISOR, Role.ADMIN},
            order=64,
        )
        # After the cases and evaluation demos: the reports read their figures.
        demo.register("ledger", load_demo, order=80)
