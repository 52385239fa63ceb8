from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CounterConfig(AppConfig):
    """The staff pages of the one-window work: intake, my work, case search, supervision.
    No models: every write is a `bianmin.cases` service call."""

    name = "bianmin.counter"
    label = "counter"
    verbose_name = _("一窗受理工作台")
