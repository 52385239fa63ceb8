"""The cases API over HTTP: intake with idempotency, the case file, transitions, lists, scope."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bianmin.cases.models import Case, IdempotencyRecord
from bianmin.core.models import AuditEntry
from tests.apiclient import api_as, body
from tests.cases import builders

pytestmark = pytest.mark.django_db
CASES = "/api/v1/cases/"


def intake_body(resident, item_code="MZ-GLJT-001", materials=builders.COMPLETE, **extra):
    return {
        "item_code": item_code,
        "applicant_id_number": resident.id_number_for_test,
        "channel": "window",
        "materials": materials,
        **extra,
    }


@pytest.fixture
def clerk_api(dazhi_clerk):
    return api_as(dazhi_clerk)


class TestIntake:
    def test_complete_application_answers_201_with_number_and_due_date(
        self, clock, clerk_api, resident, elderly_item
    ):
        r = clerk_api.post(CASES, intake_body(resident), format="json")
        assert r.status_code == 201, r.data
        data = r.json()
        assert data["kind"] == "case" and data["status"] == "in_review"
        assert data["case_no"].startswith("BM20260929")
        assert data["due_date"] == "2026-10-12" and data["due_provisional"] is False
        assert data["missing_materials"] == []
        assert [m["code"] for m in data["shared_materials"]] == ["id_card"]
        # Fetched before the verdict: the answer says where it came from.
        assert data["shared_materials"][0]["reason"] == "共享数据：居民身份证信息（公安）"
        assert data["cases"][0]["applicant_id_masked"] == resident.id_masked
        # The ID number went in the body and never comes back.
        assert resident.id_number_for_test not in body(r)

    def test_missing_materials_create_a_returned_case_with_the_full_notice(
        self, clock, clerk_api, resident, elderly_item
    ):
        r = clerk_api.post(
            CASES,
            intake_body(resident, materials=[{"code": "hukou", "form": "copy"}]),
            format="json",
        )
        assert r.status_code == 201
        assert r.data["status"] == "returned" and r.data["due_date"] is None
        assert [(m["code"], m["reason"]) for m in r.data["missing_materials"]] == [
            ("hukou", "须提交原件，现提交的是复印件"),
            ("photo", "未提交（须提交原件）"),
            ("bank_card", "未提交（须提交复印件）"),
        ]
        assert [m["code"] for m in r.data["conditional_materials"]] == ["guardian"]

    def test_deficiency_acceptance_with_a_pledge(self, clock, clerk_api, resident, elderly_item):
        r = clerk_api.post(
            CASES,
            intake_body(
                resident,
                materials=["hukou"],
                pledge={"materials": ["photo", "bank_card"], "due_date": "2026-10-09"},
            ),
            format="json",
        )
        assert r.status_code == 201 and r.data["status"] == "in_review"
        detail = clerk_api.get(f"{CASES}{r.data['case_no']}/").json()
        assert detail["pledge"]["due_date"] == "2026-10-09" and detail["pledge"]["overdue"] is False
        sources = {m["code"]: m["source"] for m in detail["materials"]}
        assert sources["photo"] == "pledged" and sources["id_card"] == "shared"

    @pytest.mark.parametrize(
        ("changes", "code"),
        [
            ({"item_code": "NO-SUCH-ITEM"}, "unknown_item"),
            ({"materials": ["hukou", "passport"]}, "unknown_material"),
            ({"channel": "fax"}, "invalid_choice"),
            ({"applicant_id_number": "42010219850615001X"}, "id_number_check_digit"),
        ],
    )
    def test_input_errors_are_400_with_a_code(
        self, clock, clerk_api, resident, elderly_item, changes, code
    ):
        r = clerk_api.post(CASES, {**intake_body(resident), **changes}, format="json")
        assert r.status_code == 400 and r.data["code"] == code, r.data
        assert Case.objects.count() == 0

    def test_item_not_acceptable_here(self, clock, clerk_api, resident):
        builders.item("RS-YLBX-001", levels=("city",))
        r = clerk_api.post(CASES, intake_body(resident, item_code="RS-YLBX-001"), format="json")
        assert r.status_code == 400 and r.data["code"] == "item_not_acceptable_here"

    def test_item_and_bundle_together_is_refused_in_either_language(
        self, clock, clerk_api, resident, elderly_item
    ):
        both = intake_body(resident, bundle_code="LB-LNR-001")
        zh = clerk_api.post(CASES, both, format="json")
        assert zh.status_code == 400 and "事项编码或联办事项编码（二选一）" in body(zh)
        en = clerk_api.post(CASES, both, format="json", HTTP_ACCEPT_LANGUAGE="en")
        assert "service item code or a bundle code" in body(en)
        neither = intake_body(resident, applicant_credit_code="91420100MA4KXYZ12X")
        en = clerk_api.post(CASES, neither, format="json", HTTP_ACCEPT_LANGUAGE="en")
        assert en.status_code == 400 and "applicant's ID number or" in body(en)
        bad_material = intake_body(resident, materials=[{"form": "copy"}])
        en = clerk_api.post(CASES, bad_material, format="json", HTTP_ACCEPT_LANGUAGE="en")
        assert "A material is a material code" in body(en)
        assert Case.objects.count() == 0

    def test_agent_with_consent(self, clock, baocheng_agent, resident, elderly_item):
        r = api_as(baocheng_agent).post(
            CASES,
            intake_body(
                resident,
                channel="agent",
                agent_consent={"method": "written", "at": "2026-09-28T16:30:00+08:00"},
            ),
            format="json",
        )
        assert r.status_code == 201, r.data
        case = Case.objects.get(case_no=r.data["case_no"])
        assert case.agent == baocheng_agent.staff and case.consent_method == "written"

    def test_bundle(self, clock, clerk_api, resident, elderly_item, disability_item):
        builders.bundle("LB-LNR-001", [elderly_item, disability_item], name="老年人福利一件事")
        data = intake_body(resident)
        del data["item_code"]
        r = clerk_api.post(CASES, {**data, "bundle_code": "LB-LNR-001"}, format="json")
        assert r.status_code == 201, r.data
        assert r.data["kind"] == "bundle" and r.data["case_no"].startswith("LB")
        assert [c["item_code"] for c in r.data["cases"]] == ["MZ-GLJT-001", "MZ-CJBT-001"]
        assert r.data["due_date"] == "2026-10-26"
        listed = clerk_api.get(CASES, {"bundle": r.data["case_no"]}).json()
        assert listed["count"] == 2

    def test_precheck_creates_nothing(self, clock, clerk_api, resident, elderly_item):
        r = clerk_api.post(
            f"{CASES}precheck/", intake_body(resident, materials=["hukou"]), format="json"
        )
        assert r.status_code == 200
        assert r.data["complete"] is False and r.data["deficiency_possible"] is True
        assert [m["code"] for m in r.data["missing_materials"]] == ["photo", "bank_card"]
        assert Case.objects.count() == 0


class TestSharedMaterials:
    """The precheck runs after the shared fetch: what could not be fetched is in
    missing_materials with the reason, what was fetched is never asked for."""

    def test_a_revoked_grant_means_the_id_card_is_asked_for(
        self, clock, clerk_api, resident, elderly_item
    ):
        from bianmin.registry.access import actor_for
        from bianmin.sharing import services
        from bianmin.sharing.models import DataAccess, Grant
        from tests import factories

        owner = factories.staff("ga_owner", role="reviewer", division="420100", department="GA")
        services.revoke(
            actor=actor_for(owner),
            grant=Grant.objects.get(department_id="MZ", item_id="id_card"),
            reason="授权范围调整",
        )
        # The precheck says it at once (the gate only: nothing is read, nothing logged) …
        checked = clerk_api.post(f"{CASES}precheck/", intake_body(resident), format="json").json()
        assert checked["complete"] is False
        assert checked["missing_materials"][0]["code"] == "id_card"
        reason = "未能通过数据共享获取（承办部门未获该数据的共享授权），须提交原件"
        assert checked["missing_materials"][0]["reason"] == reason
        assert not DataAccess.objects.exists()
        # … and the intake returns it with the one-time notice, the refusal on record.
        r = clerk_api.post(CASES, intake_body(resident), format="json")
        assert r.status_code == 201 and r.json()["status"] == "returned"
        assert [(m["code"], m["reason"]) for m in r.json()["missing_materials"]] == [
            ("id_card", reason)
        ]
        assert r.json()["shared_materials"] == []
        assert DataAccess.objects.get().reason_code == "no_grant"
        # Handed in at the window instead: accepted.
        with_card = intake_body(resident, materials=[*builders.COMPLETE, "id_card"])
        assert clerk_api.post(CASES, with_card, format="json").json()["status"] == "in_review"

    def test_a_fetched_material_is_never_asked_for(self, clock, clerk_api, resident, elderly_item):
        from bianmin.sharing.models import DataAccess

        r = clerk_api.post(CASES, intake_body(resident), format="json")
        assert r.json()["status"] == "in_review" and r.json()["missing_materials"] == []
        case = Case.objects.get(case_no=r.json()["case_no"])
        assert DataAccess.objects.get(case=case).outcome == "allowed"
        detail = clerk_api.get(f"{CASES}{case.case_no}/").json()
        sources = {m["code"]: m["source"] for m in detail["materials"]}
        assert sources["id_card"] == "shared"


class TestIdempotency:
    def test_a_retried_post_answers_with_the_first_case(
        self, clock, clerk_api, resident, elderly_item
    ):
        first = clerk_api.post(
            CASES, intake_body(resident), format="json", HTTP_IDEMPOTENCY_KEY="9f1c-0001"
        )
        again = clerk_api.post(
            CASES, intake_body(resident), format="json", HTTP_IDEMPOTENCY_KEY="9f1c-0001"
        )
        assert first.status_code == again.status_code == 201
        assert again.content == first.content
        assert again["Idempotent-Replayed"] == "true" and "Idempotent-Replayed" not in first
        assert Case.objects.count() == 1
        record = IdempotencyRecord.objects.get()
        assert record.case.case_no == first.data["case_no"]
        assert resident.id_number_for_test not in record.fingerprint

    def test_same_key_other_body_is_422(self, clock, clerk_api, resident, elderly_item):
        clerk_api.post(CASES, intake_body(resident), format="json", HTTP_IDEMPOTENCY_KEY="k-1")
        r = clerk_api.post(
            CASES,
            intake_body(resident, materials=["hukou"]),
            format="json",
            HTTP_IDEMPOTENCY_KEY="k-1",
        )
        assert r.status_code == 422 and r.data["code"] == "idempotency_key_reused"
        assert Case.objects.count() == 1

    def test_a_failed_first_attempt_leaves_the_key_free(
        self, clock, clerk_api, resident, elderly_item
    ):
        bad = intake_body(resident, materials=["passport"])
        assert (
            clerk_api.post(CASES, bad, format="json", HTTP_IDEMPOTENCY_KEY="k-2").status_code == 400
        )
        assert IdempotencyRecord.objects.count() == 0
        ok = clerk_api.post(CASES, intake_body(resident), format="json", HTTP_IDEMPOTENCY_KEY="k-3")
        assert ok.status_code == 201

    def test_keys_belong_to_one_user(self, clock, dazhi_clerk, minzu_clerk, resident, elderly_item):
        a = api_as(dazhi_clerk).post(
            CASES, intake_body(resident), format="json", HTTP_IDEMPOTENCY_KEY="shared"
        )
        b = api_as(minzu_clerk).post(
            CASES, intake_body(resident), format="json", HTTP_IDEMPOTENCY_KEY="shared"
        )
        assert a.status_code == b.status_code == 201 and a.data["case_no"] != b.data["case_no"]


class TestCaseFile:
    def test_detail_shows_status_due_date_materials_and_history(
        self, clock, clerk_api, dazhi_clerk, resident, elderly_item
    ):
        case_no = clerk_api.post(CASES, intake_body(resident), format="json").data["case_no"]
        r = clerk_api.get(f"{CASES}{case_no}/")
        assert r.status_code == 200
        data = r.json()
        assert data["status"] == "in_review" and data["warning_level"] == "green"
        assert data["due_date"] == "2026-10-12" and data["visit_count"] == 1
        assert {m["code"]: m["source"] for m in data["materials"]} == {
            "id_card": "shared",
            "hukou": "submitted",
            "photo": "submitted",
            "bank_card": "submitted",
            "guardian": "conditional",
            "residence": "optional",
        }
        assert [h["action"] for h in data["history"]] == ["accepted"]
        assert data["history"][0]["to_status"] == "in_review"
        assert [rv["department"] for rv in data["reviews"]] == ["MZ"]
        assert resident.id_number_for_test not in body(r)
        assert AuditEntry.objects.filter(object_type="case", object_id=case_no).count() == 1

    def test_unknown_case_is_404(self, clerk_api):
        r = clerk_api.get(f"{CASES}BM20260101000001/")
        assert r.status_code == 404 and r.data["code"] == "not_found"


class TestTransitions:
    def test_review_decide_deliver_close_and_a_second_decision_is_409(
        self, clock, clerk_api, resident, disability_item, cl_reviewer, mz_reviewer
    ):
        created = clerk_api.post(
            CASES, intake_body(resident, item_code="MZ-CJBT-001"), format="json"
        ).data
        case_no = created["case_no"]
        reviews = {
            rv["department"]: rv["id"] for rv in clerk_api.get(f"{CASES}{case_no}/").data["reviews"]
        }
        mz, cl = api_as(mz_reviewer), api_as(cl_reviewer)
        early = mz.post(f"{CASES}{case_no}/decide/", {"decision": "approve"}, format="json")
        assert early.status_code == 409 and early.data["code"] == "reviews_pending"
        r = cl.post(
            f"{CASES}{case_no}/reviews/{reviews['CL']}/decide/",
            {"decision": "approve", "opinion": "残疾等级核实无误"},
            format="json",
        )
        assert r.status_code == 200 and r.data["status"] == "in_review"
        r = mz.post(
            f"{CASES}{case_no}/reviews/{reviews['MZ']}/decide/",
            {"decision": "approve"},
            format="json",
        )
        assert r.status_code == 200
        r = mz.post(f"{CASES}{case_no}/decide/", {"decision": "approve"}, format="json")
        assert r.status_code == 200 and r.data["decision"] == "approved"
        again = mz.post(
            f"{CASES}{case_no}/decide/", {"decision": "deny", "reasons": "重新考虑"}, format="json"
        )
        assert again.status_code == 409 and again.data["code"] == "already_decided"
        r = clerk_api.post(f"{CASES}{case_no}/deliver/", {"method": "electronic"}, format="json")
        assert r.status_code == 200 and r.data["status"] == "delivered"
        r = clerk_api.post(f"{CASES}{case_no}/close/")
        assert r.status_code == 200 and r.data["status"] == "closed"
        assert [h["action"] for h in r.data["history"]] == [
            "accepted",
            "review_approved",
            "review_approved",
            "decided",
            "delivered",
            "closed",
        ]

    def test_invalid_transition_is_409(self, clock, clerk_api, resident, elderly_item):
        case_no = clerk_api.post(CASES, intake_body(resident, materials=[]), format="json").data[
            "case_no"
        ]
        r = clerk_api.post(f"{CASES}{case_no}/close/")
        assert r.status_code == 409 and r.data["code"] == "invalid_transition"
        assert r.data["detail"] == f"办件{case_no}当前状态为“补正中”，不能办结。"

    def test_supplement_accept_and_refuse(self, clock, clerk_api, resident, elderly_item):
        case_no = clerk_api.post(
            CASES, intake_body(resident, materials=["hukou"]), format="json"
        ).data["case_no"]
        r = clerk_api.post(
            f"{CASES}{case_no}/resubmit/", {"materials": ["photo", "bank_card"]}, format="json"
        )
        assert r.status_code == 200 and r.data["status"] == "submitted"
        r = clerk_api.post(f"{CASES}{case_no}/accept/", {}, format="json")
        assert r.status_code == 200 and r.data["status"] == "in_review"
        r = clerk_api.post(f"{CASES}{case_no}/refuse/", {"reason": "测试"}, format="json")
        assert r.status_code == 409

    def test_suspend_resume_extend_visits(
        self, clock, clerk_api, resident, elderly_item, mz_reviewer, supervisor
    ):
        case_no = clerk_api.post(CASES, intake_body(resident), format="json").data["case_no"]
        mz = api_as(mz_reviewer)
        clock.set(dt.date(2026, 10, 16))
        r = mz.post(
            f"{CASES}{case_no}/suspend/",
            {"kind": "expert_review", "reason": "专家评审", "start": "2026-10-09"},
            format="json",
        )
        assert r.status_code == 200 and r.data["clock_paused"] is True
        r = mz.post(f"{CASES}{case_no}/resume/", {"end": "2026-10-16"}, format="json")
        assert r.status_code == 200 and r.data["due_date"] == "2026-10-20"
        assert r.data["pauses"][0]["workdays"] == 6
        r = mz.post(
            f"{CASES}{case_no}/extend/", {"workdays": 2, "reason": "需补充调查"}, format="json"
        )
        assert r.status_code == 201
        extension = r.data["extensions"][0]
        assert extension["status"] == "pending"
        own = mz.post(
            f"{CASES}{case_no}/extensions/{extension['id']}/decide/",
            {"approve": True},
            format="json",
        )
        assert own.status_code == 403
        r = api_as(supervisor).post(
            f"{CASES}{case_no}/extensions/{extension['id']}/decide/",
            {"approve": True, "note": "同意"},
            format="json",
        )
        assert r.status_code == 200 and r.data["due_date"] == "2026-10-22"
        r = clerk_api.post(f"{CASES}{case_no}/visits/", {"purpose": "咨询进度"}, format="json")
        assert r.status_code == 201 and r.data["visit_count"] == 2


class TestListsAndScope:
    def test_list_filters_and_constant_queries(
        self, clock, clerk_api, resident, elderly_item, disability_item
    ):
        def list_queries() -> int:
            with CaptureQueriesContext(connection) as ctx:
                r = clerk_api.get(CASES)
            assert r.status_code == 200
            return len(ctx.captured_queries)

        clerk_api.post(CASES, intake_body(resident), format="json")
        clerk_api.post(CASES, intake_body(resident, item_code="MZ-CJBT-001"), format="json")
        few = list_queries()
        for _ in range(4):
            clerk_api.post(CASES, intake_body(resident, materials=[]), format="json")
        assert list_queries() == few
        assert clerk_api.get(CASES, {"status": "returned"}).data["count"] == 4
        assert clerk_api.get(CASES, {"item": "MZ-CJBT-001"}).data["count"] == 1
        assert clerk_api.get(CASES, {"department": "MZ"}).data["count"] == 6
        assert clerk_api.get(CASES, {"last4": resident.id_number_for_test[-4:]}).data["count"] == 6
        row = clerk_api.get(CASES, {"item": "MZ-CJBT-001"}).data["results"][0]
        assert (
            row["department_name"] == "民政局" and row["applicant_id_masked"] == resident.id_masked
        )
        bad = clerk_api.get(CASES, {"warning_level": "purple"})
        assert bad.status_code == 400

    def test_another_streets_clerk_sees_nothing(
        self, clock, clerk_api, minzu_clerk, resident, elderly_item
    ):
        case_no = clerk_api.post(CASES, intake_body(resident), format="json").data["case_no"]
        other = api_as(minzu_clerk)
        assert other.get(CASES).data["count"] == 0
        assert other.get(f"{CASES}{case_no}/").status_code == 403
        assert other.post(f"{CASES}{case_no}/close/").status_code == 403
        counts = other.get(f"{CASES}supervision/").data
        assert counts["by_department"] == [] and counts["by_centre"] == []

    def test_supervision_counts(self, clock, clerk_api, resident, elderly_item, supervisor):
        clerk_api.post(CASES, intake_body(resident), format="json")
        clerk_api.post(CASES, intake_body(resident, materials=[]), format="json")
        r = api_as(supervisor).get(f"{CASES}supervision/")  # this month by default
        assert r.status_code == 200
        [row] = r.data["by_department"]
        assert row["department"] == "MZ" and row["running"] == 1 and row["green"] == 1
        assert r.data["awaiting_precheck"] == 0
        assert (r.data["period"], r.data["start"], r.data["end"]) == (
            "2026-09",
            "2026-09-01",
            "2026-09-30",
        )
        quarter = api_as(supervisor).get(f"{CASES}supervision/", {"period": "2026-Q3"})
        assert (quarter.data["start"], quarter.data["end"]) == ("2026-07-01", "2026-09-30")
        bad = api_as(supervisor).get(
            f"{CASES}supervision/", {"period": "2026-13"}, HTTP_ACCEPT_LANGUAGE="en"
        )
        assert bad.status_code == 400 and "2026-13" in str(bad.data)

    def test_my_reviews_includes_the_absent_a_posts_work(
        self, clock, clerk_api, resident, elderly_item, mz_reviewer, mz_backup
    ):
        from bianmin.cases.services import absences
        from tests.cases.conftest import as_actor

        case_no = clerk_api.post(CASES, intake_body(resident), format="json").data["case_no"]
        review = Case.objects.get(case_no=case_no).reviews.get()
        r = api_as(mz_reviewer).post(
            f"{CASES}{case_no}/reviews/{review.pk}/assign/",
            {"assignee": mz_reviewer.staff.pk},
            format="json",
        )
        assert r.status_code == 200
        backup = api_as(mz_backup)
        assert backup.get(f"{CASES}my-reviews/").data == []
        absences.mark_absent(
            actor=as_actor(mz_reviewer),
            staff=mz_reviewer.staff,
            start=clock.today,
            end=clock.today,
            reason="病假",
        )
        [work] = backup.get(f"{CASES}my-reviews/").data
        assert work["case_no"] == case_no and work["standing_in"] is True
        assert work["assignee_name"] == "mz_reviewer"


def test_openapi_schema_documents_the_cases_api_without_warnings():
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.validation import validate_schema

    schema = SchemaGenerator().get_schema(request=None, public=True)
    validate_schema(schema)
    post = schema["paths"]["/api/v1/cases/"]["post"]
    assert {"201", "400", "422"} <= set(post["responses"])
    assert any(p["name"] == "Idempotency-Key" for p in post["parameters"])
    assert "409" in schema["paths"]["/api/v1/cases/{case_no}/decide/"]["post"]["responses"]
