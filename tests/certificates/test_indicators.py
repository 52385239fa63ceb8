"""电子证照 in the indicator library: issued (in total, from approved cases, per type), in force
at the month's end, revoked — from grid to city, through the engine, the stored values, the
library's API and pages and the ledger's designer."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from bianmin.certificates.services import issue_certificate, revoke
from bianmin.indicators import engine, library, services
from bianmin.indicators.library import Period
from bianmin.ledger.sources import catalogue
from tests import factories
from tests.apiclient import api_as
from tests.certificates.conftest import ACTOR
from tests.certificates.test_events import decided_case
from tests.conftest import BAOCHENG, DAZHI_STREET, JIANGAN, TAINING

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("sharing_arranged")]

CITY = "420100"
OCT, NOV = "2026-10", "2026-11"
DISABILITY = {"disability_kind": "肢体残疾", "disability_grade": "三级"}
CODES = [
    "certificates.issued",
    "certificates.issued_from_cases",
    "certificates.issued_disability_card",
    "certificates.issued_residence_permit",
    "certificates.issued_business_license",
    "certificates.issued_elderly_card",
    "certificates.in_force",
    "certificates.revoked",
]


@pytest.fixture
def certificates(resident, enterprise, issuers):
    """保成社区: 王秀兰 (born 1950) and the enterprise; 张伟 in the community's grid 01.

    - 残疾人证 to 王秀兰, issued 2026-10-15 (loaded from 残联's system);
    - 营业执照 to the enterprise, issued 2026-10-20;
    - 居住证 to 张伟, issued 2025-11-01: one year, its last day 2026-10-31 (the expiry job has
      not run: still `valid` in the table);
    - 残疾人证 to 张伟, issued 2026-11-03, revoked now;
    - 老年人优待证 to 王秀兰, issued today by her approved case."""
    grid = factories.grid(BAOCHENG, 1)
    zhang = factories.person(community=BAOCHENG, grid=grid.code, name="张伟")
    issue_certificate(
        actor=ACTOR, type_code="disability_card", holder=resident, issuer=issuers["CL"],
        data=DISABILITY, issued_on=dt.date(2026, 10, 15), source="exchange",
        source_system="残疾人两项补贴和证件管理系统",
    )  # fmt: skip
    issue_certificate(
        actor=ACTOR, type_code="business_license", holder=enterprise, issuer=issuers["SCJG"],
        data={"entity_type": "有限责任公司", "legal_rep": "李强", "established": "2019-05-20",
              "address": "武汉市江岸区中山大道1234号"},
        issued_on=dt.date(2026, 10, 20),
    )  # fmt: skip
    permit = issue_certificate(
        actor=ACTOR, type_code="residence_permit", holder=zhang, issuer=issuers["GA"],
        data={"residence_address": "武汉市江岸区保成路8号"}, issued_on=dt.date(2025, 11, 1),
    )  # fmt: skip
    assert permit.valid_until == dt.date(2026, 10, 31) and permit.status == "valid"
    card = issue_certificate(
        actor=ACTOR, type_code="disability_card", holder=zhang, issuer=issuers["CL"],
        data=DISABILITY, issued_on=dt.date(2026, 11, 3),
    )  # fmt: skip
    revoke(actor=ACTOR, certificate=card, reason="残疾等级复评不符")
    decided_case(resident, approve=True)
    return {"grid": grid.code, "card": card}


def _values(period) -> dict[str, dict[str, Decimal]]:
    whole = engine.table(CODES, root=CITY, period=period)
    return {code: {u: v.value for u, v in by_unit.items()} for code, by_unit in whole.items()}


def test_issued_in_force_and_revoked_from_grid_to_city(certificates):
    grid = certificates["grid"]
    now = str(Period.of(timezone.localdate()))
    assert now > NOV  # the case's certificate and the revocation are dated today

    october = _values(OCT)
    for unit in (CITY, JIANGAN, DAZHI_STREET, BAOCHENG):
        assert october["certificates.issued"][unit] == 2, unit
    assert october["certificates.issued_disability_card"][BAOCHENG] == 1
    assert october["certificates.issued_business_license"][BAOCHENG] == 1
    assert october["certificates.issued_residence_permit"][CITY] == 0
    assert october["certificates.issued_from_cases"][CITY] == 0
    assert (
        october["certificates.issued"][grid] == 0 and october["certificates.issued"][TAINING] == 0
    )
    # In force on 31 October: both October ones and the permit on its last day.
    assert (
        october["certificates.in_force"][CITY] == 3 and october["certificates.in_force"][grid] == 1
    )

    november = _values(NOV)
    assert november["certificates.issued"][grid] == 1 and november["certificates.issued"][CITY] == 1
    # The permit has run out (whatever its status says); the card was revoked only later.
    assert (
        november["certificates.in_force"][grid] == 1
        and november["certificates.in_force"][CITY] == 3
    )
    assert november["certificates.revoked"][CITY] == 0

    current = _values(now)
    assert current["certificates.issued_from_cases"][BAOCHENG] == 1
    assert current["certificates.issued_elderly_card"][DAZHI_STREET] == 1
    assert current["certificates.revoked"][grid] == 1 and current["certificates.revoked"][CITY] == 1
    assert (
        current["certificates.in_force"][grid] == 0 and current["certificates.in_force"][CITY] == 3
    )

    rows = engine.rows("certificates.revoked", division=grid, period=now)
    assert list(rows) == [certificates["card"]]


def test_every_type_has_its_issued_indicator(db):
    from bianmin.certificates.models import CertificateType

    declared = {i.code for i in library.all_indicators() if i.source == "certificates"}
    for code in CertificateType.objects.values_list("code", flat=True):
        assert f"certificates.issued_{code}" in declared
    assert str(library.get("certificates.issued_residence_permit").name) == "居住证签发数"


def test_stored_values_follow_a_revocation_incrementally(certificates, issuers, resident):
    now = str(Period.of(timezone.localdate()))
    codes = ["certificates.revoked", "certificates.in_force", "certificates.issued"]
    services.refresh(now, codes=codes, root=JIANGAN, full=True)
    first = services.stored_values(codes, period=now, root=JIANGAN)
    assert first["certificates.revoked"][BAOCHENG].value == 1
    assert first["certificates.in_force"][BAOCHENG].value == 3
    from bianmin.certificates.models import Certificate

    revoke(
        actor=ACTOR,
        certificate=Certificate.unscoped.get(type_id="business_license"),
        reason="营业执照注销登记",
    )
    run = services.refresh(now, codes=codes, root=JIANGAN)
    assert run.mode == "incremental" and run.touched_areas >= 1
    again = services.stored_values(codes, period=now, root=JIANGAN)
    assert again["certificates.revoked"][BAOCHENG].value == 2
    assert again["certificates.revoked"][JIANGAN].value == 2
    assert again["certificates.in_force"][BAOCHENG].value == 2
    assert again == services.stored_values(codes, period=now, root=JIANGAN)
    assert engine.values("certificates.revoked", division=JIANGAN, period=now)[JIANGAN].value == 2


def test_in_the_library_api_page_and_ledger_designer(client, certificates):
    clerk = factories.staff("dazhi_stats", role="clerk", division=DAZHI_STREET)
    api = api_as(clerk)
    listed = {i["code"]: i for i in api.get("/api/v1/indicators/").data}
    assert listed["certificates.issued"]["category"] == "电子证照"
    answer = api.get(
        "/api/v1/indicators/certificates.issued/values/", {"org_unit": DAZHI_STREET, "period": OCT}
    )
    assert answer.status_code == 200, answer.data
    assert answer.data["unit"]["value"] == 2
    assert {c["code"]: c["value"] for c in answer.data["children"]}[BAOCHENG] == 2
    assert (
        api.get(
            "/api/v1/indicators/certificates.issued/values/", {"org_unit": CITY, "period": OCT}
        ).status_code
        == 403
    )

    client.force_login(clerk)
    page = client.get(reverse("indicators:library")).content.decode()
    assert "电子证照签发数" in page and "居住证签发数" in page and "有效电子证照数" in page
    values = client.get(
        reverse("indicators:values"),
        {"code": "certificates.in_force", "org_unit": BAOCHENG, "period": OCT},
    ).content.decode()
    assert "第1网格" in values

    assert "certificates.issued" in {i.code for i in catalogue()}
    supervisor = factories.staff("dazhi_sup", role="supervisor", division=DAZHI_STREET)
    client.force_login(supervisor)
    designer = client.get(reverse("ledger:template-new")).content.decode()
    assert "电子证照签发数" in designer
