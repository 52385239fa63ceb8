"""Only one's own: another resident's case, file, rating form or complaint is 404 — the same
answer as a number that does not exist, so guessing numbers tells nothing."""

from __future__ import annotations

import re

import pytest

from bianmin.cases.models import Case
from bianmin.cases.services import intake
from bianmin.cases.services.precheck import Applicant
from bianmin.core.identifiers import make_credit_code
from bianmin.registry.services.organisations import create_organisation
from tests.cases import builders
from tests.cases.conftest import as_actor
from tests.portal.conftest import signed_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def her_case(clock, cases, dazhi_clerk, resident) -> Case:
    """王秀英's case, taken in at the 大智街道 window (not online)."""
    return cases.accepted(dazhi_clerk, resident)


class TestOwnCases:
    def test_a_window_case_is_hers_too(self, portal, her_case):
        listing = portal.get("/portal/cases/").content.decode()
        assert her_case.case_no in listing
        assert portal.get(f"/portal/cases/{her_case.case_no}/").status_code == 200

    @pytest.mark.parametrize(
        "path",
        ["", "supplement/", "rate/", "feedback/"],
    )
    def test_another_resident_gets_404(self, her_case, other_account, path):
        client = signed_in(other_account)
        url = f"/portal/cases/{her_case.case_no}/{path}"
        response = (
            client.post(url, {"level": 5}) if path in ("rate/", "feedback/") else client.get(url)
        )
        assert response.status_code == 404
        assert her_case.case_no not in client.get("/portal/cases/").content.decode()

    def test_guessing_a_number_looks_the_same_as_someone_else_s(self, her_case, other_account):
        client = signed_in(other_account)
        taken = client.get(f"/portal/cases/{her_case.case_no}/")
        free = client.get(f"/portal/cases/{her_case.case_no[:-1]}9/")
        assert taken.status_code == free.status_code == 404
        # Apart from the CSRF token and the page's own address, the same page.
        token = re.compile(rb"[A-Za-z0-9]{64}|BM\d{14}")
        assert token.sub(b"", taken.content) == token.sub(b"", free.content)
        assert "找不到该页面或办件" in taken.content.decode()

    def test_the_staff_scope_is_not_what_decides(self, her_case, other_account, minzu_clerk):
        """李建国 lives in 江汉区, but even a resident of 大智街道 who is not the applicant
        sees nothing: ownership decides, not area."""
        from tests import factories
        from tests.conftest import BAOCHENG
        from tests.portal.conftest import open_for

        neighbour = factories.person(community=BAOCHENG, name="王建华", phone="13911113333")
        client = signed_in(open_for(neighbour, "13911113333"))
        assert client.get(f"/portal/cases/{her_case.case_no}/").status_code == 404


class TestOrganisations:
    def test_the_legal_representative_follows_the_company_s_cases(
        self, clock, resident, account, dazhi_clerk, db
    ):
        org = create_organisation(
            actor=as_actor(dazhi_clerk),
            credit_code=make_credit_code("92", "420102", "MA4K00001"),
            name="江岸区王记早点铺",
            division="420102",
            legal_rep_id_number=resident.id_number_for_test,
            phone="027-82800001",
        )
        item = builders.item(
            "SC-SPJY-001",
            name="食品经营许可",
            department="SCJG",
            applicant_kind="organisation",
            materials=[("licence", "营业执照", "copy", "mandatory", True, "licence", "")],
        )
        case = intake.take_in(
            actor=as_actor(dazhi_clerk),
            item=item,
            applicant=Applicant(organisation=org),
            provided=[],
            channel="window",
        ).case
        portal = signed_in(account)
        page = portal.get(f"/portal/cases/{case.case_no}/").content.decode()
        assert "江岸区王记早点铺" in page
        form = portal.get(f"/portal/services/{item.code}/apply/").content.decode()
        assert "江岸区王记早点铺（法定代表人办理）" in form
