from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationConfig(AppConfig):
    name = "bianmin.evaluation"
    label = "evaluation"
    verbose_name = _("好差评与投诉")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from bianmin.evaluation import lifeevents

        lifeevents.register()
