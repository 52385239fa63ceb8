"""The one gate: grants, scope, expiry, consent, providers — and a log entry every time."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from bianmin.core.audit import Actor
from bianmin.core.models import AuditEntry
from bianmin.registry.access import actor_for
from bianmin.registry.models import PersonTag
from bianmin.sharing import services
from bianmin.sharing.models import AccessOutcome, AccessRequest, Consent, DataAccess, Grant
from bianmin.sharing.services import AccessDenied
from tests.sharing.conftest import expire, grant

pytestmark = pytest.mark.django_db


def reads_of(person) -> int:
    return AuditEntry.objects.filter(
        object_type="person", object_id=str(person.pk), action="read"
    ).count()


def test_owner_reads_its_own_data_without_a_grant(ga_officer, resident):
    data = services.fetch(
        actor=actor_for(ga_officer), item_code="id_card", person=resident, purpose="户籍业务核验"
    )
    assert data["姓名"] == "王秀英" and data["公民身份号码"] == resident.id_masked
    access = DataAccess.objects.get()
    assert access.outcome == AccessOutcome.ALLOWED and access.department_id == "GA"
    assert access.person == resident and access.purpose == "户籍业务核验"
    entry = AuditEntry.objects.filter(object_type="person", object_id=str(resident.pk)).latest("id")
    assert entry.changes["shared_item"] == "id_card" and entry.purpose == "户籍业务核验"


def test_without_a_grant_the_read_is_refused_and_logged(mz_officer, resident):
    before = reads_of(resident)
    with pytest.raises(AccessDenied) as refused:
        services.fetch(
            actor=actor_for(mz_officer), item_code="hukou", person=resident, purpose="低保审核"
        )
    assert refused.value.code == "no_grant" and isinstance(refused.value, PermissionDenied)
    access = DataAccess.objects.get()
    assert access.outcome == AccessOutcome.DENIED and access.reason_code == "no_grant"
    # Nothing was read: no read of the person's record, no grant, no consent appeared.
    assert reads_of(resident) == before
    assert not Grant.objects.exists() and not Consent.unscoped.exists()
    assert AuditEntry.objects.filter(object_type="shared_data", object_id=str(access.pk)).exists()


def test_a_grant_lets_the_department_read_within_its_scope(mz_officer, resident, jianghan_resident):
    grant("id_card", "MZ", scope="420102")  # 江岸区 only
    data = services.fetch(
        actor=actor_for(mz_officer), item_code="id_card", person=resident, purpose="低保审核"
    )
    assert data["性别"] == "女"
    with pytest.raises(AccessDenied) as refused:
        services.fetch(
            actor=actor_for(mz_officer),
            item_code="id_card",
            person=jianghan_resident,  # 江汉区
            purpose="低保审核",
        )
    assert refused.value.code == "out_of_scope"
    assert list(DataAccess.objects.order_by("id").values_list("outcome", flat=True)) == [
        "allowed",
        "denied",
    ]


def test_an_expired_grant_is_refused(mz_officer, resident):
    g = grant("id_card", "MZ")
    expire(g)
    with pytest.raises(AccessDenied) as refused:
        services.fetch(
            actor=actor_for(mz_officer), item_code="id_card", person=resident, purpose="低保审核"
        )
    assert refused.value.code == "grant_expired"


def test_a_revoked_grant_is_refused(mz_officer, ga_officer, resident):
    g = grant("id_card", "MZ")
    services.revoke(actor=actor_for(ga_officer), grant=g, reason="用途已结束")
    with pytest.raises(AccessDenied) as refused:
        services.fetch(
            actor=actor_for(mz_officer), item_code="id_card", person=resident, purpose="低保审核"
        )
    assert refused.value.code == "no_grant"


def test_sensitive_data_needs_the_persons_consent(cl_officer, resident):
    grant("dibao", "CL")
    PersonTag.objects.create(
        person=resident, tag_id="dibao", since=dt.date(2024, 5, 1), source="民政局认定"
    )
    actor = actor_for(cl_officer)
    with pytest.raises(AccessDenied) as refused:
        services.fetch(actor=actor, item_code="dibao", person=resident, purpose="护理补贴核定")
    assert refused.value.code == "no_consent"

    me = Actor(name="王秀英")
    consent = services.grant_consent(actor=me, person=resident, item_code="dibao")
    data = services.fetch(actor=actor, item_code="dibao", person=resident, purpose="护理补贴核定")
    assert data == {"类别": "低保对象", "认定日期": "2024-05-01", "认定来源": "民政局认定"}

    services.withdraw_consent(actor=me, person=resident, consent=consent)
    with pytest.raises(AccessDenied) as refused:
        services.fetch(actor=actor, item_code="dibao", person=resident, purpose="护理补贴核定")
    assert refused.value.code == "consent_withdrawn"
    assert list(DataAccess.objects.order_by("id").values_list("outcome", flat=True)) == [
        "denied",
        "allowed",
        "denied",
    ]


def test_no_record_is_none_not_made_up(cl_officer, resident):
    grant("dibao", "CL")
    services.grant_consent(actor=Actor(name="王秀英"), person=resident, item_code="dibao")
    data = services.fetch(
        actor=actor_for(cl_officer), item_code="dibao", person=resident, purpose="护理补贴核定"
    )
    assert data is None
    assert DataAccess.objects.get().outcome == AccessOutcome.NOT_FOUND


def test_an_item_nobody_holds_has_no_provider(ga_officer, resident):
    grant("social_insurance", "GA")
    with pytest.raises(ValidationError) as refused:
        services.fetch(
            actor=actor_for(ga_officer),
            item_code="social_insurance",
            person=resident,
            purpose="核验",
        )
    assert refused.value.code == "no_provider"
    assert DataAccess.objects.get().reason_code == "no_provider"


def test_purpose_is_required_and_nothing_is_logged_without_it(ga_officer, resident):
    with pytest.raises(ValidationError) as bad:
        services.fetch(actor=actor_for(ga_officer), item_code="hukou", person=resident, purpose=" ")
    assert bad.value.error_dict["purpose"][0].code == "purpose_required"
    assert not DataAccess.objects.exists()


def test_death_provider_reports_only_the_dead(ga_officer, resident):
    actor = actor_for(ga_officer)
    assert services.fetch(actor=actor, item_code="death", person=resident, purpose="核验") is None


class TestRequests:
    def test_only_the_owner_decides_and_a_refusal_needs_a_reason(
        self, mz_officer, ga_officer, cl_officer
    ):
        until = timezone.localdate() + dt.timedelta(days=90)
        req = services.request_access(
            actor=actor_for(mz_officer),
            item_code="hukou",
            purpose="低保审核",
            scope_prefix="420102",
            until=until,
        )
        assert req.status == "pending"
        with pytest.raises(PermissionDenied):
            services.approve(actor=actor_for(cl_officer), request=req)
        with pytest.raises(ValidationError) as bad:
            services.refuse(actor=actor_for(ga_officer), request=req, reason="")
        assert bad.value.error_dict["reason"][0].code == "reason_required"
        refused = services.refuse(actor=actor_for(ga_officer), request=req, reason="用途不明确")
        assert refused.status == "refused" and not Grant.objects.exists()
        with pytest.raises(ValidationError) as again:
            services.approve(actor=actor_for(ga_officer), request=req)
        assert again.value.code == "already_decided"

    def test_an_approval_may_narrow_but_not_widen(self, mz_officer, ga_officer):
        until = timezone.localdate() + dt.timedelta(days=90)
        req = services.request_access(
            actor=actor_for(mz_officer),
            item_code="hukou",
            purpose="低保审核",
            scope_prefix="420102",
            until=until,
        )
        with pytest.raises(ValidationError):
            services.approve(actor=actor_for(ga_officer), request=req, scope_prefix="4201")
        g = services.approve(
            actor=actor_for(ga_officer),
            request=req,
            scope_prefix="420102002",
            until=until - dt.timedelta(days=30),
        )
        assert g.scope_prefix == "420102002" and g.valid_until == until - dt.timedelta(days=30)
        assert AccessRequest.objects.get(pk=req.pk).status == "approved"

    @pytest.mark.parametrize(
        ("field", "kwargs", "code"),
        [
            ("scope_prefix", {"scope_prefix": "99"}, "invalid_scope"),
            ("requested_until", {"until": dt.date(2020, 1, 1)}, "date_in_past"),
            ("purpose", {"purpose": ""}, "purpose_required"),
        ],
    )
    def test_bad_requests(self, mz_officer, field, kwargs, code):
        args = {
            "item_code": "hukou",
            "purpose": "低保审核",
            "scope_prefix": "4201",
            "until": timezone.localdate() + dt.timedelta(days=30),
            **kwargs,
        }
        with pytest.raises(ValidationError) as bad:
            services.request_access(actor=actor_for(mz_officer), **args)
        assert bad.value.error_dict[field][0].code == code
        assert not AccessRequest.objects.exists()

    def test_an_owner_does_not_ask_for_its_own_data(self, ga_officer):
        with pytest.raises(ValidationError) as bad:
            services.request_access(
                actor=actor_for(ga_officer),
                item_code="hukou",
                purpose="x",
                scope_prefix="4201",
                until=timezone.localdate(),
            )
        assert bad.value.code == "own_item"


def test_consent_only_for_sensitive_items_and_not_twice(resident):
    me = Actor(name="王秀英")
    with pytest.raises(ValidationError) as bad:
        services.grant_consent(actor=me, person=resident, item_code="hukou")
    assert bad.value.code == "not_sensitive"
    services.grant_consent(actor=me, person=resident, item_code="disability")
    with pytest.raises(ValidationError) as twice:
        services.grant_consent(actor=me, person=resident, item_code="disability")
    assert twice.value.code == "already_granted"


def test_a_resident_withdraws_only_their_own_consent(resident, jianghan_resident):
    consent = services.grant_consent(actor=Actor(name="x"), person=resident, item_code="marriage")
    with pytest.raises(ValidationError) as bad:
        services.withdraw_consent(actor=Actor(name="y"), person=jianghan_resident, consent=consent)
    assert bad.value.code == "not_own_consent"
    assert Consent.unscoped.get().withdrawn_at is None
