from __future__ import annotations

from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "bianmin.registry"
    label = "registry"
    verbose_name = "人口库与法人库 Registry"
