"""/counter/ — the one-window staff pages: intake (综合受理), my work (我的待办), case search
(办件查询), the case page with its actions and printable notices, and supervision (电子监察)."""

from __future__ import annotations

from django.urls import path, re_path

from bianmin.cases.numbering import CASE_NO_PATTERN
from bianmin.counter import views_cases, views_intake, views_review, views_supervision

app_name = "counter"

CASE = rf"cases/(?P<case_no>{CASE_NO_PATTERN})"

urlpatterns = [
    # 综合受理: identify → applicant → item → materials → outcome
    path("intake/", views_intake.start, name="intake"),
    path("intake/identify/", views_intake.identify, name="identify"),
    path("intake/applicant/", views_intake.applicant, name="applicant"),
    path("intake/items/", views_intake.item_search, name="item-search"),
    path("intake/done/", views_intake.done, name="intake-done"),
    path("intake/item/<str:code>/", views_intake.checklist, {"kind": "item"}, name="item"),
    path("intake/bundle/<str:code>/", views_intake.checklist, {"kind": "bundle"}, name="bundle"),
    path(
        "intake/<slug:kind>/<str:code>/precheck/",
        views_intake.precheck_view,
        name="precheck",
    ),
    path("intake/<slug:kind>/<str:code>/submit/", views_intake.submit, name="submit"),
    # 我的待办
    path("work/", views_review.my_work, name="work"),
    # 办件查询, the case page, its actions and notices
    path("cases/", views_cases.search, name="cases"),
    path("cases/export/", views_cases.export, name="cases-export"),
    re_path(rf"^{CASE}/$", views_cases.detail, name="case"),
    re_path(rf"^{CASE}/notice/(?P<kind>[a-z_]+)/$", views_cases.notice, name="notice"),
    re_path(rf"^{CASE}/act/(?P<action>[a-z_]+)/$", views_review.act, name="act"),
    re_path(
        r"^bundles/(?P<bundle_no>LB\d{14})/notice/$",
        views_cases.bundle_notice,
        name="bundle-notice",
    ),
    # 电子监察
    path("supervision/", views_supervision.dashboard, name="supervision"),
    path("supervision/export/<slug:table>/", views_supervision.export, name="supervision-export"),
    path(
        "supervision/extensions/<int:pk>/decide/",
        views_supervision.decide_extension,
        name="extension-decide",
    ),
    path("supervision/<slug:kind>/", views_supervision.listing, name="supervision-list"),
]
