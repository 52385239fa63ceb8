"""The demo loader: four templates and reports of the demo communities in every state."""

from __future__ import annotations

import pytest

from bianmin.ledger.demo import load_demo
from bianmin.ledger.models import Report, ReportTemplate
from tests import factories
from tests.conftest import BAOCHENG, DAZHI_STREET

pytestmark = pytest.mark.django_db


def test_demo_templates_and_reports_in_every_state():
    factories.staff("ck_dazhi", role="clerk", division=DAZHI_STREET)
    factories.staff("ck_jiangan", role="clerk", division="420102")
    factories.staff("ck_minzujie", role="clerk", division="420103001000")
    factories.staff("wg_baocheng", role="grid", division=BAOCHENG)
    lines: list[str] = []
    load_demo(seed=7, log=lines.append)
    assert ReportTemplate.objects.count() == 4
    states = set(Report.objects.values_list("status", flat=True))
    assert states == {"draft", "submitted", "returned", "approved"}
    returned = Report.objects.get(status="returned")
    assert returned.return_reason and returned.frozen is None
    assert all(r.frozen for r in Report.objects.filter(status__in=["submitted", "approved"]))
    assert "4 个报表模板" in lines[-1]
    # 大智街道's own community report shows 保成社区's approved figures, shared.
    from bianmin.ledger.tables import build_table

    street = Report.objects.get(template__code="community-basic-monthly", area_code=DAZHI_STREET)
    assert build_table(street).cell(BAOCHENG, "visits").shared_from == "保成社区"
    # Loading again adds no second copy of a template.
    assert ReportTemplate.objects.filter(code="community-basic-monthly").count() == 1
