"""/api/v1/ledger/: templates, reports, cells, submit / approve / return — scoped."""

from __future__ import annotations

import pytest

from bianmin.ledger.models import ReportTemplate
from tests import factories
from tests.apiclient import api_as
from tests.conftest import BAOCHENG, DAZHI_STREET, TAINING
from tests.ledger.conftest import GRIDS, last_month, street_columns, this_month

pytestmark = pytest.mark.django_db


@pytest.fixture
def supervisor(db):
    return factories.staff("city_sup", role="supervisor", division="420100")


def _template(**extra):
    return {"code": "api-monthly", "name": "接口月报", "frequency": "monthly",
            "row_kind": "units", "columns": street_columns(), **extra}  # fmt: skip


def test_template_with_unknown_indicator_is_400(supervisor):
    body = _template()
    body["columns"][0]["indicator"] = "cases.nope"
    answer = api_as(supervisor).post("/api/v1/ledger/templates/", body, format="json")
    assert answer.status_code == 400
    assert answer.json()["code"] == "unknown_indicator"
    assert not ReportTemplate.objects.exists()
    en = api_as(supervisor).post(
        "/api/v1/ledger/templates/", body, format="json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert en.json()["code"] == "unknown_indicator"


def test_template_design_needs_a_supervisor(street_clerk):
    answer = api_as(street_clerk).post("/api/v1/ledger/templates/", _template(), format="json")
    assert answer.status_code == 403


def test_report_lifecycle_over_the_api(supervisor, street_clerk, street_reviewer, grids):
    created = api_as(supervisor).post("/api/v1/ledger/templates/", _template(), format="json")
    assert created.status_code == 201 and created.json()["version"] == 1
    clerk = api_as(street_clerk)
    opened = clerk.post(
        "/api/v1/ledger/reports/",
        {"template": "api-monthly", "division": DAZHI_STREET, "period": last_month()},
        format="json",
    )
    assert opened.status_code == 201
    report = opened.json()
    cells = {(c["row"], c["column"]): c for c in report["cells"]}
    assert cells[(BAOCHENG, "grids")]["value"] == "2"
    assert cells[(BAOCHENG, "grids")]["source"] == "computed"
    url = f"/api/v1/ledger/reports/{report['id']}/"

    bad = clerk.post(url + "cells/", {"cells": [{"row": BAOCHENG, "column": "visits",
                                                 "value": "-3"}]}, format="json")  # fmt: skip
    assert bad.status_code == 400 and bad.json()["code"] == "below_min"
    early = clerk.post(url + "submit/")
    assert early.status_code == 400 and early.json()["code"] == "cells_missing"

    rows = [r["key"] for r in report["rows"] if not r["total"]]
    assert BAOCHENG in rows and TAINING in rows
    filled = clerk.post(
        url + "cells/",
        {"cells": [{"row": row, "column": "visits", "value": "5"} for row in rows]},
        format="json",
    )
    assert filled.status_code == 200
    assert {c["source"] for c in filled.json()["cells"] if c["column"] == "visits"} >= {"manual"}
    sub = clerk.post(url + "submit/")
    assert sub.status_code == 200, sub.json()
    assert sub.json()["status"] == "submitted"
    frozen = clerk.post(url + "cells/", {"cells": [{"row": BAOCHENG, "column": "visits",
                                                    "value": "9"}]}, format="json")  # fmt: skip
    assert frozen.status_code == 400 and frozen.json()["code"] == "frozen"

    assert clerk.post(url + "approve/").status_code == 403
    reviewer = api_as(street_reviewer)
    inbox = reviewer.get("/api/v1/ledger/reports/", {"inbox": "true"}).json()
    assert [r["id"] for r in inbox] == [report["id"]]
    returned = reviewer.post(url + "return/", {"reason": ""}, format="json")
    assert returned.status_code == 400 and returned.json()["code"] == "reason_required"
    assert reviewer.post(url + "approve/").json()["status"] == "approved"


def test_unfinished_period_is_refused(supervisor, street_clerk):
    api_as(supervisor).post("/api/v1/ledger/templates/", _template(), format="json")
    clerk = api_as(street_clerk)
    report = clerk.post(
        "/api/v1/ledger/reports/",
        {"template": "api-monthly", "division": DAZHI_STREET, "period": this_month()},
        format="json",
    ).json()
    answer = clerk.post(f"/api/v1/ledger/reports/{report['id']}/submit/")
    assert answer.status_code == 400 and answer.json()["code"] == "period_not_over"


def test_reports_are_scoped(supervisor, street_clerk, wannian_worker, grids):
    api_as(supervisor).post("/api/v1/ledger/templates/", _template(), format="json")
    report = (
        api_as(street_clerk)
        .post(
            "/api/v1/ledger/reports/",
            {"template": "api-monthly", "division": DAZHI_STREET, "period": last_month()},
            format="json",
        )
        .json()
    )
    other = api_as(wannian_worker)
    assert other.get(f"/api/v1/ledger/reports/{report['id']}/").status_code == 404
    assert other.get("/api/v1/ledger/reports/").json() == []
    opened = other.post(
        "/api/v1/ledger/reports/",
        {"template": "api-monthly", "division": DAZHI_STREET, "period": last_month()},
        format="json",
    )
    assert opened.status_code == 403


def test_template_list_names_the_indicator(supervisor):
    api_as(supervisor).post("/api/v1/ledger/templates/", _template(), format="json")
    listed = api_as(supervisor).get("/api/v1/ledger/templates/").json()
    assert listed[0]["columns"][0]["indicator"] == GRIDS
