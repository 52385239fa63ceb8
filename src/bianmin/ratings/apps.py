from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RatingsConfig(AppConfig):
    name = "bianmin.ratings"
    label = "ratings"
    verbose_name = _("星级评定")
    default_auto_field = "django.db.models.BigAutoField"
