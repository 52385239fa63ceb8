"""Certificates issued by approved cases; a death revokes them; the consistency check."""

from __future__ import annotations

import datetime as dt

import pytest

from bianmin.cases.services import handling
from bianmin.certificates.events import CHECK
from bianmin.certificates.models import Certificate
from bianmin.certificates.services import issue_certificate
from bianmin.core import lifecycle
from bianmin.registry.access import actor_for
from bianmin.registry.models import Person
from bianmin.registry.services.people import set_life_status
from tests import factories
from tests.cases import builders
from tests.certificates.conftest import ACTOR
from tests.conftest import DAZHI_STREET, JIANGAN

# Intake fetches shared materials before it decides: the city's grants are in place.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("sharing_arranged")]


def decided_case(resident, *, approve: bool):
    clerk = factories.staff("dazhi_clerk", role="clerk", division=DAZHI_STREET)
    reviewer = factories.staff("mz_reviewer", role="reviewer", division=JIANGAN, department="MZ")
    item = builders.item(
        "MZ-YDZ-001", name="老年人优待证办理", result_certificate_type="elderly_card"
    )
    case = builders.taken_in(clerk, item, resident, reviewer=reviewer)
    handling.decide(
        actor=actor_for(reviewer),
        case=case,
        approve=approve,
        reasons="" if approve else "不符合条件",
    )
    return case


def test_approved_case_issues_its_certificate(resident, issuers):
    case = decided_case(resident, approve=True)
    cert = Certificate.unscoped.get(case=case)
    assert (cert.type_id, cert.source, cert.holder_person_id) == (
        "elderly_card",
        "case",
        resident.pk,
    )
    assert cert.issuer == issuers["MZ"]
    assert cert.data == {"card_level": "70周岁以上"}  # born 1950


def test_rejected_case_issues_nothing(resident, issuers):
    decided_case(resident, approve=False)
    assert not Certificate.unscoped.exists()


def test_without_an_issuing_authority_the_approval_stands(resident):
    case = decided_case(resident, approve=True)
    case.refresh_from_db()
    assert case.decision == "approved"
    assert not Certificate.unscoped.exists()


def test_recorded_death_revokes_the_certificates(resident, issuers):
    cert = issue_certificate(
        actor=ACTOR,
        type_code="elderly_card",
        holder=resident,
        issuer=issuers["MZ"],
        data={"card_level": "70周岁以上"},
        issued_on=dt.date(2021, 6, 1),
    )
    set_life_status(
        actor=ACTOR, person=resident, status="deceased", date=dt.date(2026, 1, 3), source="公安推送"
    )
    cert.refresh_from_db()
    assert (cert.status, cert.status_reason) == ("revoked", "持证人死亡")
    assert lifecycle.run_checks([CHECK]) == []


def test_consistency_check_and_handler(resident, issuers):
    cert = issue_certificate(
        actor=ACTOR,
        type_code="elderly_card",
        holder=resident,
        issuer=issuers["MZ"],
        data={"card_level": "70周岁以上"},
        issued_on=dt.date(2021, 6, 1),
    )
    assert "certificates" in lifecycle.handlers(lifecycle.DEATH)
    # A death written to the register without the dispatch (an old import, a direct fix):
    Person.unscoped.filter(pk=resident.pk).update(life_status="deceased")
    found = lifecycle.run_checks([CHECK])
    assert [(c.pk, c.person_id) for c in found] == [(cert.pk, resident.pk)]

    event = lifecycle.LifeEvent(lifecycle.DEATH, resident.pk, dt.date(2026, 1, 3), "公安推送")
    assert ("certificates", "注销电子证照 1 本") in lifecycle.dispatch(event, ACTOR)
    cert.refresh_from_db()
    assert (cert.status, cert.status_reason) == ("revoked", "持证人死亡")
    assert lifecycle.run_checks([CHECK]) == []
