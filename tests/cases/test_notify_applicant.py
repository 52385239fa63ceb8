from __future__ import annotations

import pytest

from bianmin.cases.models import Case
from bianmin.cases.services.common import notify_applicant
from bianmin.core.audit import Actor
from bianmin.core.identifiers import make_credit_code
from bianmin.notifications.models import OutboxMessage
from bianmin.registry.services.organisations import create_organisation
from tests import factories
from tests.conftest import BAOCHENG

pytestmark = pytest.mark.django_db
ACTOR = Actor(name="tester")


def _org(phone: str, with_rep: bool):
    number = factories.id_number()
    if with_rep:
        factories.person(community=BAOCHENG, id_number=number, phone="13971234567")
    return create_organisation(
        actor=ACTOR,
        credit_code=make_credit_code("92", "420102", "MA4KQ1234"),
        name="江岸区周记热干面馆",
        division=BAOCHENG,
        phone=phone,
        legal_rep_id_number=number if with_rep else None,
    )


def test_enterprise_with_a_landline_is_told_through_its_legal_representative():
    org = _org("027-82801234", with_rep=True)
    notify_applicant(Case(case_no="BM20261122000001", applicant_org=org), key="k1", body="已受理")
    message = OutboxMessage.objects.get(dedupe_key="k1")
    assert message.recipient_address == "13971234567"
    assert message.recipient_person == org.legal_rep


def test_enterprise_with_a_mobile_is_told_directly():
    org = _org("13800001111", with_rep=True)
    notify_applicant(Case(case_no="BM20261122000002", applicant_org=org), key="k2", body="已受理")
    assert OutboxMessage.objects.get(dedupe_key="k2").recipient_address == "13800001111"
