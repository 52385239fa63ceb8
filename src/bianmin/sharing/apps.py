from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SharingConfig(AppConfig):
    name = "bianmin.sharing"
    label = "sharing"
    verbose_name = _("数据共享与授权")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from bianmin.core import demo, nav
        from bianmin.registry.models import Role
        from bianmin.sharing import providers
        from bianmin.sharing.demo import load_demo

        providers.register_builtin()
        group = _("数据共享")
        nav.register_staff(
            group=group, label=_("共享数据目录"), url_name="sharing:catalogue", icon="⇄", order=60
        )
        nav.register_staff(
            group=group,
            label=_("共享申请与授权"),
            url_name="sharing:requests",
            icon="✓",
            roles={Role.DEPT_REVIEWER, Role.SUPERVISOR},
            order=61,
        )
        nav.register_staff(
            group=group,
            label=_("材料共享统计"),
            url_name="sharing:stats",
            icon="Σ",
            roles={Role.SUPERVISOR, Role.WINDOW_CLERK, Role.DEPT_REVIEWER},
            order=62,
        )
        nav.register_staff(
            group=group,
            label=_("数据调用记录"),
            url_name="sharing:log",
            icon="≡",
            roles={Role.SUPERVISOR},
            order=63,
        )
        nav.register_portal(
            label=_("数据授权"),
            url_name="sharing:consents",
            hint=_("敏感信息共享须经您授权，可随时撤回"),
            order=60,
        )
        demo.register("sharing", load_demo, order=50)
