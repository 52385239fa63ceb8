"""决定内容: a first 残疾人证 carries the category and grade the 残联 reviewer decides with the
approval — nothing in the registers holds them yet. A renewal offers the last card's values;
a denial carries nothing; bad result input changes nothing. Through the service, the API and
the counter's case page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from bianmin.cases import results
from bianmin.cases.models import Case
from bianmin.cases.services import handling
from bianmin.certificates.models import Certificate
from bianmin.certificates.services import issue_certificate
from bianmin.registry.access import actor_for
from tests import factories
from tests.apiclient import api_as
from tests.cases import builders
from tests.certificates.conftest import ACTOR
from tests.conftest import DAZHI_STREET, JIANGAN
from tests.webclient import signed_in

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("sharing_arranged")]


@pytest.fixture
def cl_reviewer(db):
    return factories.staff("cl_reviewer", role="reviewer", division=JIANGAN, department="CL")


@pytest.fixture
def case(resident, cl_reviewer) -> Case:
    """王秀兰's 残疾人证新办, reviewed by the district 残联 and waiting for its decision."""
    clerk = factories.staff("dazhi_clerk", role="clerk", division=DAZHI_STREET)
    item = builders.item(
        "CL-001",
        name="残疾人证新办",
        department="CL",
        reviews=(("CL", 1),),
        result_certificate_type="disability_card",
    )
    return builders.taken_in(clerk, item, resident, reviewer=cl_reviewer)


def decide(case, reviewer, **kw):
    return handling.decide(actor=actor_for(reviewer), case=case, approve=True, **kw)


def code_of(call) -> str:
    with pytest.raises(ValidationError) as caught:
        call()
    return caught.value.error_dict["result"][0].code


def test_a_first_card_asks_for_the_assessment(case):
    fields = {f.name: f for f in results.fields_for(case)}
    assert set(fields) == {"disability_kind", "disability_grade", "guardian"}
    kind = fields["disability_kind"]
    assert kind.required and kind.kind == "choice" and "肢体残疾" in kind.choices
    assert not fields["disability_grade"].required and not fields["guardian"].required


def test_approval_without_the_category_is_refused_and_changes_nothing(case, cl_reviewer, issuers):
    assert code_of(lambda: decide(case, cl_reviewer)) == "result_required"
    bad = {"disability_kind": "很严重"}
    assert code_of(lambda: decide(case, cl_reviewer, result=bad)) == "result_invalid_choice"
    typo = {"disability_kind": "肢体残疾", "disabilty_grade": "三级"}
    assert code_of(lambda: decide(case, cl_reviewer, result=typo)) == "result_unknown_field"
    case.refresh_from_db()
    assert case.decision == "" and case.decision_result == {}
    assert not Certificate.unscoped.exists()


def test_the_decided_assessment_is_on_the_case_and_the_certificate(case, cl_reviewer, issuers):
    decided = decide(
        case,
        cl_reviewer,
        result={"disability_kind": "肢体残疾", "disability_grade": "三级", "guardian": " "},
    )
    assert decided.decision_result == {"disability_kind": "肢体残疾", "disability_grade": "三级"}
    event = decided.events.get(action="decided")
    assert event.data["result"] == decided.decision_result
    cert = Certificate.unscoped.get(case=case)
    assert (cert.type_id, cert.issuer) == ("disability_card", issuers["CL"])
    assert cert.data["disability_kind"] == "肢体残疾" and cert.data["disability_grade"] == "三级"


def test_a_denial_carries_no_result(case, cl_reviewer, issuers):
    denied = handling.decide(
        actor=actor_for(cl_reviewer), case=case, approve=False, reasons="评定未达残疾标准"
    )
    assert denied.decision == "denied" and denied.decision_result == {}


def test_a_renewal_offers_the_last_card_and_may_change_the_grade(
    case, cl_reviewer, resident, issuers
):
    issue_certificate(
        actor=ACTOR,
        type_code="disability_card",
        holder=resident,
        issuer=issuers["CL"],
        data={"disability_kind": "视力残疾", "disability_grade": "二级"},
        issued_on=dt.date(2016, 5, 10),
    )
    fields = {f.name: f for f in results.fields_for(case)}
    assert (fields["disability_kind"].required, fields["disability_kind"].initial) == (
        False,
        "视力残疾",
    )
    decide(case, cl_reviewer, result={"disability_grade": "一级"})  # re-assessed
    cert = Certificate.unscoped.get(case=case)
    assert (cert.data["disability_kind"], cert.data["disability_grade"]) == ("视力残疾", "一级")


def test_an_item_without_such_fields_decides_as_before(resident, cl_reviewer, issuers):
    item = builders.item("MZ-GLJT-001")
    clerk = factories.staff("dazhi_clerk", role="clerk", division=DAZHI_STREET)
    assert results.fields_for(builders.taken_in(clerk, item, resident)) == []


def test_the_api_lists_the_fields_and_takes_the_result(case, cl_reviewer, issuers):
    api = api_as(cl_reviewer)
    url = f"/api/v1/cases/{case.case_no}/"
    listed = api.get(f"{url}decision-fields/").json()
    assert [f["name"] for f in listed] == ["disability_kind", "disability_grade", "guardian"]
    assert listed[0]["required"] is True and "精神残疾" in listed[0]["choices"]
    refused = api.post(
        f"{url}decide/", {"decision": "approve"}, format="json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert refused.status_code == 400 and "残疾类别" in str(refused.json())
    done = api.post(
        f"{url}decide/",
        {"decision": "approve", "result": {"disability_kind": "听力残疾"}},
        format="json",
    )
    assert done.status_code == 200, done.json()
    assert api.get(url).json()["decision_result"] == {"disability_kind": "听力残疾"}
    assert Certificate.unscoped.get(case=case).data["disability_kind"] == "听力残疾"


def test_the_counter_page_shows_and_takes_the_fields(case, cl_reviewer, issuers):
    client = Client()
    client.force_login(cl_reviewer)
    page = client.get(f"/counter/cases/{case.case_no}/").content.decode()
    assert 'data-testid="decision-result"' in page and "残疾类别" in page
    act = f"/counter/cases/{case.case_no}/act/decide/"
    missing = client.post(act, {"approve": "1", "reasons": ""})
    assert missing.status_code == 400 and "请填写决定内容：残疾类别" in missing.content.decode()
    done = client.post(act, {"approve": "1", "result__disability_kind": "智力残疾"})
    assert done.status_code == 302
    assert Certificate.unscoped.get(case=case).data["disability_kind"] == "智力残疾"
    shown = client.get(f"/counter/cases/{case.case_no}/").content.decode()
    assert "残疾类别：智力残疾" in shown


def test_the_resident_sees_what_was_decided_on_the_portal(case, cl_reviewer, resident, issuers):
    from bianmin.portal.services.accounts import open_account

    account = open_account(
        person=resident, phone="13800005555", provider="phone_password", password="Wang-2026-x"
    )
    decide(case, cl_reviewer, result={"disability_kind": "肢体残疾", "disability_grade": "三级"})
    page = signed_in(account.user).get(f"/portal/cases/{case.case_no}/").content.decode()
    assert 'data-testid="decision-result"' in page
    assert "残疾类别：肢体残疾；残疾等级：三级" in page
