"""Materials satisfied by sharing: fetched at intake, on file with their source, counted."""

from __future__ import annotations

import datetime as dt
import sys
import types

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from bianmin.cases.models import CaseStatus, IntakeChannel
from bianmin.cases.services import acceptance, intake
from bianmin.cases.services.pledges import PledgeInput
from bianmin.core.audit import Actor
from bianmin.notifications.models import OutboxMessage
from bianmin.registry.access import actor_for
from bianmin.registry.models import PersonTag
from bianmin.sharing import queries, services
from bianmin.sharing.models import AccessOutcome, DataAccess, SharedMaterial
from tests.cases import builders
from tests.sharing.conftest import grant

pytestmark = pytest.mark.django_db

# 居住证 from the e-certificate library besides the shared 身份证 data.
WITH_CERTIFICATE = [
    *builders.ELDERLY_MATERIALS,
    ("permit", "居住证", "original", "mandatory", True, "residence_permit", ""),
]


def window_intake(clerk, item, applicant, provided=builders.COMPLETE):
    return intake.take_in(
        actor=actor_for(clerk),
        item=item,
        applicant=applicant,
        provided=provided,
        channel=IntakeChannel.WINDOW,
    )


def test_a_shared_material_is_fetched_and_not_asked(dazhi_clerk, elderly_item, applicant):
    grant("id_card", "MZ")  # the item's department (民政) may read 身份证 data
    result = window_intake(dazhi_clerk, elderly_item, applicant)
    case = result.case
    assert case.status == CaseStatus.IN_REVIEW
    assert "id_card" not in {c.code for c in result.precheck.missing}
    row = SharedMaterial.objects.get(case=case)
    assert row.found and row.code == "id_card" and row.source_code == "id_card"
    assert row.source_label == "共享数据：居民身份证信息（公安）"
    access = DataAccess.objects.get(case=case)
    assert access.outcome == AccessOutcome.ALLOWED and access.department_id == "MZ"
    assert case.case_no in access.purpose and access.person == applicant.person
    assert queries.sources_of(case)["id_card"] == row


def test_a_refused_fetch_is_asked_for_with_the_reason(dazhi_clerk, elderly_item, applicant):
    result = window_intake(dazhi_clerk, elderly_item, applicant)  # no grant for 民政
    case = result.case
    # The precheck ran after the fetch: the material is in the one-time notice, not assumed.
    assert case.status == CaseStatus.RETURNED and not result.accepted
    [missing] = result.precheck.missing
    assert missing.code == "id_card"
    assert missing.reason == "未能通过数据共享获取（承办部门未获该数据的共享授权），须提交原件"
    notice = case.events.get(action="returned").data["notice"]
    assert [m["code"] for m in notice["missing"]] == ["id_card"] and notice["shared"] == []
    assert not case.materials.filter(code="id_card").exists()  # nothing filed as shared
    row = SharedMaterial.objects.get(case=case)
    assert not row.found and "未获得" in row.reason
    access = DataAccess.objects.get()
    assert access.reason_code == "no_grant" and access.case == case
    assert case.case_no in access.purpose
    body = OutboxMessage.objects.get(related_id=case.case_no).body
    assert "居民身份证" in body  # the applicant is told to bring it


def test_the_material_handed_in_instead_is_accepted(dazhi_clerk, elderly_item, applicant):
    result = window_intake(dazhi_clerk, elderly_item, applicant, [*builders.COMPLETE, "id_card"])
    assert result.accepted and not DataAccess.objects.exists()


def test_a_withdrawn_consent_is_asked_for_and_a_new_one_lets_the_clerk_accept(
    dazhi_clerk, applicant, resident
):
    """残疾人信息 is sensitive: 民政 holds a grant, but the resident withdrew her consent."""
    item = builders.item("MZ-CJBT-009", materials=WITH_DISABILITY_DATA)
    grant("id_card", "MZ")
    grant("disability", "MZ")
    PersonTag.objects.create(person=resident, tag_id="disabled", source="江岸区残联")
    me = Actor(name="王秀英")
    consent = services.grant_consent(actor=me, person=resident, item_code="disability")
    services.withdraw_consent(actor=me, person=resident, consent=consent)
    online = intake.submit_online(
        actor=me,
        item=item,
        applicant=applicant,
        provided=[{"code": c, "form": "electronic"} for c in builders.COMPLETE],
    )
    case = online.case
    [missing] = online.precheck.missing
    assert missing.code == "disability_proof"
    assert missing.reason == "未能通过数据共享获取（居民已撤回授权），须提交原件"
    submitted = case.events.get(action="submitted").data["notice"]
    assert [m["code"] for m in submitted["missing"]] == ["disability_proof"]
    assert DataAccess.objects.get(item_code="disability").reason_code == "consent_withdrawn"
    # The clerk cannot accept on a fetch that failed …
    with pytest.raises(ValidationError) as caught:
        acceptance.accept(actor=actor_for(dazhi_clerk), case=case)
    assert caught.value.code == "materials_missing"
    # … and once she consents again, sharing is asked again and supplies it.
    services.grant_consent(actor=me, person=resident, item_code="disability")
    acceptance.accept(actor=actor_for(dazhi_clerk), case=case)
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_REVIEW
    assert SharedMaterial.objects.get(case=case, code="disability_proof").found
    assert case.materials.get(code="disability_proof").source == "shared"


def test_a_refused_intake_leaves_no_read_on_record(dazhi_clerk, elderly_item, applicant):
    grant("id_card", "MZ")
    with pytest.raises(ValidationError):
        intake.take_in(
            actor=actor_for(dazhi_clerk),
            item=elderly_item,
            applicant=applicant,
            provided=["hukou", "bank_card"],
            channel=IntakeChannel.WINDOW,
            # The photo is missing, the pledge names the wrong material: refused.
            pledge=PledgeInput(("bank_card",), timezone.localdate() + dt.timedelta(days=5)),
        )
    assert not DataAccess.objects.exists() and not SharedMaterial.objects.exists()


def test_a_handed_in_material_is_not_fetched(dazhi_clerk, elderly_item, applicant):
    grant("id_card", "MZ")
    result = window_intake(dazhi_clerk, elderly_item, applicant, [*builders.COMPLETE, "id_card"])
    assert not SharedMaterial.objects.filter(case=result.case).exists()
    assert not DataAccess.objects.exists()


def test_a_certificate_stands_in_for_a_material(dazhi_clerk, applicant, monkeypatch):
    item = builders.item("MZ-GLJT-009", materials=WITH_CERTIFICATE)
    grant("id_card", "MZ")
    asked = []

    def current_certificate(*, holder, type_code):
        asked.append((holder, type_code))
        return types.SimpleNamespace(identifier="JZZ-420102-2026-000123")

    fake = types.ModuleType("bianmin.certificates.queries")
    fake.current_certificate = current_certificate
    monkeypatch.setitem(sys.modules, "bianmin.certificates.queries", fake)
    result = window_intake(dazhi_clerk, item, applicant)
    assert asked == [(applicant.person, "residence_permit")]
    permit = SharedMaterial.objects.get(case=result.case, code="permit")
    assert permit.found and permit.certificate_identifier == "JZZ-420102-2026-000123"
    assert permit.source_label == "电子证照：居住证 JZZ-420102-2026-000123"


def test_online_applications_are_satisfied_too(elderly_item, applicant):
    grant("id_card", "MZ")
    result = intake.submit_online(
        actor=Actor(name="王秀英"),
        item=elderly_item,
        applicant=applicant,
        provided=[{"code": c, "form": "electronic"} for c in builders.COMPLETE],
    )
    assert SharedMaterial.objects.get(case=result.case).found


def test_monthly_count_per_item(dazhi_clerk, elderly_item, applicant, jianghan_resident):
    from bianmin.cases.services.precheck import Applicant

    grant("id_card", "MZ")
    window_intake(dazhi_clerk, elderly_item, applicant)
    window_intake(dazhi_clerk, elderly_item, Applicant(person=jianghan_resident))
    month = timezone.localdate().strftime("%Y-%m")
    [row] = queries.materials_stats(month)
    assert row["item_code"] == elderly_item.code
    assert (row["satisfied"], row["from_shared_data"], row["cases"]) == (2, 2, 2)
    assert queries.materials_stats("2001-01") == []
    with pytest.raises(ValueError):
        queries.materials_stats("2026-13")


WITH_DISABILITY_DATA = [
    *builders.ELDERLY_MATERIALS,
    ("disability_proof", "残疾人证明", "original", "mandatory", True, "disability", ""),
]

WITH_DISABILITY_CARD = [
    *builders.ELDERLY_MATERIALS,
    ("card", "残疾人证", "original", "mandatory", True, "disability_card", ""),
]


def test_a_real_e_certificate_is_attached(dazhi_clerk, applicant):
    import datetime as dt

    from bianmin.certificates.services.issuing import issue_certificate
    from tests.certificates.conftest import make_issuer

    item = builders.item("MZ-CJBT-009", materials=WITH_DISABILITY_CARD)
    grant("id_card", "MZ")
    cert = issue_certificate(
        actor=Actor(name="pytest"),
        type_code="disability_card",
        holder=applicant.person,
        issuer=make_issuer("CL", body9="011111118"),
        data={"disability_kind": "肢体残疾", "disability_grade": "三级"},
        issued_on=dt.date(2024, 3, 1),
    )
    result = window_intake(dazhi_clerk, item, applicant)
    card = SharedMaterial.objects.get(case=result.case, code="card")
    assert card.found and card.certificate_identifier == cert.identifier
    assert card.source_label == f"电子证照：残疾人证 {cert.identifier}"
    assert (
        DataAccess.objects.get(case=result.case, item_code="disability_card").outcome == "allowed"
    )


def test_each_case_of_a_bundle_is_satisfied(dazhi_clerk, elderly_item, applicant):
    from bianmin.cases.services import bundles

    second = builders.item("MZ-GLJT-002", name="老年人优待")
    builders.bundle("LB-LNR-009", [elderly_item, second], name="老年人福利一件事")
    bundle, items = bundles.resolve_bundle("LB-LNR-009")
    grant("id_card", "MZ")
    result = bundles.take_in_bundle(
        actor=actor_for(dazhi_clerk),
        bundle=bundle,
        items=items,
        applicant=applicant,
        provided=builders.COMPLETE,
        channel="window",
    )
    for case in result.cases:
        assert SharedMaterial.objects.get(case=case, code="id_card").found


def _read_model(month: str) -> list[dict]:
    """The per-item count as the sharing app computed it before the indicator library had a
    breakdown by item (scoped manager, one grouped query) — the oracle."""
    from django.db.models import Count, Q

    start, end = queries.month_bounds(month)
    rows = (
        SharedMaterial.objects.filter(fetched_at__gte=start, fetched_at__lt=end)
        .values("item_code", "item_name")
        .annotate(
            satisfied=Count("id", filter=Q(found=True)),
            certificates=Count("id", filter=Q(found=True) & ~Q(certificate_identifier="")),
            not_found=Count("id", filter=Q(found=False)),
            cases=Count("case", distinct=True, filter=Q(found=True)),
        )
        .order_by("-satisfied", "item_code")
    )
    return [
        {
            "item_code": r["item_code"],
            "item_name": r["item_name"],
            "satisfied": r["satisfied"],
            "from_certificates": r["certificates"],
            "from_shared_data": r["satisfied"] - r["certificates"],
            "not_found": r["not_found"],
            "cases": r["cases"],
        }
        for r in rows
    ]


def test_stats_come_from_the_library_by_item(
    dazhi_clerk, elderly_item, applicant, jianghan_resident, monkeypatch
):
    """Two items: 高龄津贴 (身份证 shared; refused for one case before the grant) and one with
    居住证 from the e-certificate library. The library's breakdown by item equals the grouped
    query, in the whole city and cut to a viewer's area."""
    from bianmin.cases.services.precheck import Applicant
    from bianmin.core.scope import Scope, acting_in
    from bianmin.indicators import breakdowns

    window_intake(dazhi_clerk, elderly_item, applicant)  # no grant yet: not found
    grant("id_card", "MZ")
    window_intake(dazhi_clerk, elderly_item, Applicant(person=jianghan_resident))
    fake = types.ModuleType("bianmin.certificates.queries")
    fake.current_certificate = lambda *, holder, type_code: types.SimpleNamespace(
        identifier="JZZ-420102-2026-000777"
    )
    monkeypatch.setitem(sys.modules, "bianmin.certificates.queries", fake)
    permit_item = builders.item("MZ-GLJT-010", name="居住证明开具", materials=WITH_CERTIFICATE)
    window_intake(dazhi_clerk, permit_item, applicant)
    month = timezone.localdate().strftime("%Y-%m")
    got = queries.materials_stats(month)
    assert got == _read_model(month)
    assert {
        r["item_code"]: (r["satisfied"], r["from_certificates"], r["not_found"]) for r in got
    } == {
        elderly_item.code: (1, 0, 1),
        "MZ-GLJT-010": (2, 1, 0),
    }
    # A viewer's area: 大智街道 sees its centre's materials, 民族街 none.
    for prefix, expected in (("420102002", 2), ("420103001", 0)):
        with acting_in(Scope(area_prefix=prefix)):
            rows = queries.materials_stats(month)
            assert rows == _read_model(month)
            assert len(rows) == expected
    # The same figures are on the indicator API, by item.
    rate = breakdowns.breakdown(
        ["sharing.materials_satisfied_rate"], by="item", period=month, prefix="420102"
    )["sharing.materials_satisfied_rate"]
    assert rate[elderly_item.code].value == 50 and rate["MZ-GLJT-010"].value == 100
