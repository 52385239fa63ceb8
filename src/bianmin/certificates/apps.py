from __future__ import annotations

import datetime as dt

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _expire() -> int:
    from bianmin.certificates.services import expire_due

    return expire_due()


class CertificatesConfig(AppConfig):
    name = "bianmin.certificates"
    label = "certificates"
    verbose_name = _("电子证照")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from bianmin.cases import results as case_results
        from bianmin.cases.signals import case_decided
        from bianmin.certificates import demo, events, from_cases
        from bianmin.core import demo as demo_registry
        from bianmin.core import jobs, lifecycle, nav
        from bianmin.registry.models import Role

        case_decided.connect(from_cases.on_case_decided, dispatch_uid="certificates.issue")
        case_results.register("certificates", from_cases.result_fields)
        lifecycle.register_handler(lifecycle.DEATH, "certificates", events.on_death)
        lifecycle.register_check(events.CHECK, events.valid_of_deceased)
        jobs.register("certificates.expire", _expire, daily_at=dt.time(0, 20))
        demo_registry.register(
            "certificates.library", demo.load_demo_registers, stage=demo_registry.CITY
        )
        demo_registry.register("certificates", demo.load_demo_certificates, order=20)
        demo_registry.register_applicant_check(demo.applicant_fits)
        nav.register_staff(
            group=_("电子证照"),
            label=_("证照查询"),
            url_name="certificates:list",
            icon="▦",
            roles={Role.WINDOW_CLERK, Role.DEPT_REVIEWER, Role.SUPERVISOR},
            order=60,
        )
        nav.register_portal(
            label=_("我的证照"),
            hint=_("居住证、残疾人证、营业执照等电子证照"),
            url_name="certificates:mine",
            order=20,
        )
