from __future__ import annotations

from django.urls import path

from bianmin.certificates import api

urlpatterns = [
    path("keys/", api.KeysView.as_view(), name="certificates-keys"),
    path("verify/", api.VerifyView.as_view(), name="certificates-verify"),
    path("", api.HolderCertificatesView.as_view(), name="certificates-holder"),
]
