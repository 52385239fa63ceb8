"""Life events reach family-doctor contracts and referrals: a death ends the contract and
withdraws referrals not completed; a move keeps the contract while the team serves the new
area and ends it otherwise; `bianmin consistency` lists what a missing handler leaves."""

from __future__ import annotations

import datetime as dt

import pytest

from bianmin.core import lifecycle
from bianmin.health.models import (
    Contract,
    ContractStatus,
    Referral,
    ReferralStatus,
)
from bianmin.health.services import care
from bianmin.health.services import lifecycle as health_lifecycle
from bianmin.registry.services import lifeevents
from tests import factories
from tests.conftest import BAOCHENG, TAINING
from tests.exchange.helpers import ACTOR

pytestmark = pytest.mark.django_db
DIED = dt.date(2026, 11, 20)


@pytest.fixture
def contract(record, dazhi_centre, system_actor) -> Contract:
    team = care.create_team(
        actor=system_actor,
        institution=dazhi_centre,
        name="保成社区家庭医生团队",
        area_code=BAOCHENG,
    )
    return care.sign_contract(
        actor=system_actor, record=record, team=team, signed_on=dt.date(2026, 3, 1)
    )


def _refer(record, dazhi_centre, city_hospital, *, on: dt.date) -> Referral:
    return care.request_referral(
        actor=ACTOR,
        record=record,
        from_institution=dazhi_centre,
        to_institution=city_hospital,
        reason="血压控制不佳，建议上级医院调整方案",
        diagnosis_icd10="I10",
        requested_on=on,
    )


def outcomes(result) -> dict[str, str]:
    return {o["handler"]: o["summary"] for o in result.outcomes}


def test_death_ends_the_contract_and_withdraws_pending_referrals(
    record, contract, dazhi_centre, city_hospital
):
    pending = _refer(record, dazhi_centre, city_hospital, on=dt.date(2026, 10, 8))
    accepted = _refer(record, dazhi_centre, city_hospital, on=dt.date(2026, 10, 20))
    care.respond_referral(actor=ACTOR, referral=accepted, action="accept", on=dt.date(2026, 10, 21))
    done = _refer(record, dazhi_centre, city_hospital, on=dt.date(2026, 6, 1))
    care.respond_referral(actor=ACTOR, referral=done, action="accept", on=dt.date(2026, 6, 2))
    care.respond_referral(actor=ACTOR, referral=done, action="complete", on=dt.date(2026, 6, 9))

    result = lifeevents.record_death(
        actor=ACTOR, person=record.person, died_on=DIED, source="公安推送"
    )

    contract.refresh_from_db()
    assert (contract.status, contract.ended_reason) == (ContractStatus.ENDED, "死亡")
    statuses = dict(Referral.objects.values_list("pk", "status"))
    assert statuses == {
        pending.pk: ReferralStatus.CANCELLED,
        accepted.pk: ReferralStatus.CANCELLED,
        done.pk: ReferralStatus.COMPLETED,
    }
    withdrawn = Referral.objects.get(pk=pending.pk)
    assert (withdrawn.response_note, withdrawn.responded_on) == ("患者死亡", DIED)
    summary = outcomes(result)["health.records"]
    assert "结案" in summary and "家庭医生签约解约" in summary and "撤销未完成转诊2件" in summary
    # Nothing is left for the receiving institution to accept.
    with pytest.raises(Exception) as e:
        care.respond_referral(actor=ACTOR, referral=withdrawn, action="accept")
    assert e.value.code == "bad_transition"
    assert lifecycle.run_checks(only=["health.records"]) == []


def test_a_move_keeps_the_contract_within_the_teams_area_and_ends_it_outside(record, contract):
    person = record.person
    lifeevents.record_move(
        actor=ACTOR,
        person=person,
        moved_on=DIED,
        source="窗口登记",
        grid=factories.grid(BAOCHENG, 2).code,
    )
    contract.refresh_from_db()
    assert contract.status == ContractStatus.ACTIVE
    result = lifeevents.record_move(
        actor=ACTOR,
        person=person,
        moved_on=DIED,
        source="公安推送",
        grid=factories.grid(TAINING, 1).code,
    )
    contract.refresh_from_db()
    assert (contract.status, contract.ended_reason) == (
        ContractStatus.ENDED,
        "居住地迁出签约团队服务区域",
    )
    assert "家庭医生签约解约" in outcomes(result)["health.records"]
    assert lifecycle.run_checks(only=["health.records"]) == []


def test_a_move_out_ends_the_contract_and_leaves_the_referral_running(
    record, contract, dazhi_centre, city_hospital
):
    referral = _refer(record, dazhi_centre, city_hospital, on=dt.date(2026, 10, 8))
    lifeevents.record_move_out(actor=ACTOR, person=record.person, moved_on=DIED, source="公安推送")
    contract.refresh_from_db()
    assert (contract.status, contract.ended_reason) == (ContractStatus.ENDED, "户籍迁出")
    assert Referral.objects.get(pk=referral.pk).status == ReferralStatus.REQUESTED
    assert lifecycle.run_checks(only=["health.records"]) == []


def test_the_check_lists_what_a_missing_handler_leaves(
    record, contract, dazhi_centre, city_hospital
):
    referral = _refer(record, dazhi_centre, city_hospital, on=dt.date(2026, 10, 8))
    for kind in (lifecycle.DEATH, lifecycle.MOVE):
        lifecycle.unregister_handler(kind, "health.records")
    try:
        lifeevents.record_move(
            actor=ACTOR,
            person=record.person,
            moved_on=dt.date(2026, 11, 1),
            source="公安推送",
            grid=factories.grid(TAINING, 1).code,
        )
        moved = {(c.model, c.pk) for c in lifecycle.run_checks(only=["health.records"])}
        lifeevents.record_death(actor=ACTOR, person=record.person, died_on=DIED, source="公安推送")
        dead = {(c.model, c.pk) for c in lifecycle.run_checks(only=["health.records"])}
    finally:
        health_lifecycle.register()
    assert moved == {("health.HealthRecord", record.pk), ("health.Contract", contract.pk)}
    assert {
        ("health.HealthRecord", record.pk),
        ("health.Contract", contract.pk),
        ("health.Referral", referral.pk),
    } <= dead
