from __future__ import annotations

from django.urls import path

from bianmin.certificates import views

app_name = "certificates"

urlpatterns = [
    path("", views.certificate_list, name="list"),
    path("<int:pk>/", views.certificate_detail, name="detail"),
    path("<int:pk>/revoke/", views.certificate_revoke, name="revoke"),
    path("<int:pk>/pdf/", views.certificate_pdf, name="pdf"),
    path("mine/", views.my_certificates, name="mine"),
    path("mine/<int:pk>/pdf/", views.my_certificate_pdf, name="mine-pdf"),
    # Public: what the QR code opens (no login).
    path("v/<str:identifier>/", views.verify_page, name="verify-page"),
]
