"""Issue #4 end to end through the department exchange: a death pushed by 公安 reaches every
register of the person (cases, household, family contact, queueing, portal, programs, health,
certificates, complaints) in one answer, and `bianmin consistency` stays clean; moves and
move-outs pushed one by one take the registers along; credentials are per department."""

from __future__ import annotations

import datetime as dt
import io
import json
import random

import pytest
from django.core.management import call_command

from bianmin.cases.models import Case, CaseStatus
from bianmin.certificates.models import Certificate, CertificateStatus
from bianmin.core import crypto
from bianmin.evaluation.models import Complaint
from bianmin.exchange.models import DeadLetter, HeadVacancy, PushLog
from bianmin.exchange.services import add_client
from bianmin.exchange.signing import signed_headers
from bianmin.health.models import Contract, HealthRecord, Referral
from bianmin.notifications.models import OutboxMessage
from bianmin.portal.models import ResidentAccount
from bianmin.programs.models import Enrolment
from bianmin.queueing.models import Appointment, Ticket
from bianmin.registry.models import LifeStatus, Person
from tests.cases.conftest import Clock
from tests.conftest import TAINING
from tests.core.lifecycle_city import SmallCity
from tests.exchange.helpers import ACTOR

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 9, 29)
EVERYTHING = ("case", "record", "contract", "refer", "enrol", "book", "ticket", "account")
EVERYTHING += ("certificate", "complaint")


@pytest.fixture
def city(monkeypatch) -> SmallCity:
    Clock(monkeypatch).set(TODAY)
    return SmallCity(TODAY, random.Random(4))


def with_everything(city: SmallCity, person: Person) -> str:
    for work in EVERYTHING:
        city.step(work, person)
    return crypto.decrypt(Person.unscoped.get(pk=person.pk).id_cipher)


def push(pusher, path: str, payload) -> dict:
    # Signed at the test's clock, which the server reads too.
    body = json.dumps(payload, ensure_ascii=False).encode()
    headers = signed_headers(pusher.client_id, pusher.secret, "POST", path, body)
    response = pusher.http.post(
        path,
        data=body,
        content_type="application/json",
        **{f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()},
    )
    return {"status": response.status_code, **response.json()}


def consistency() -> int:
    try:
        call_command("consistency", stdout=io.StringIO(), stderr=io.StringIO())
    except SystemExit as e:
        return int(e.code)
    return 0


def test_a_pushed_death_reaches_every_register_once(city, ga):
    head = city.families[0].head
    number = with_everything(city, head)
    record = {"record_id": "GA-SW-202609-0001", "id_number": number, "died_on": "2026-09-27"}

    answer = push(ga, "/api/v1/exchange/deaths/", {**record, "reference": "死亡证明Q420001"})

    assert answer["status"] == 200 and answer["applied"] == 1, answer
    done = {o["handler"] for o in answer["results"][0]["outcomes"]}
    assert done >= {
        "registry.household",
        "cases.open_cases",
        "queueing.bookings",
        "portal.account",
        "health.records",
        "evaluation.feedback",
        "certificates",
        "programs.exit_on_death",
    }
    assert Person.unscoped.get(pk=head.pk).life_status == LifeStatus.DECEASED
    assert {c.status for c in Case.unscoped.filter(applicant_person=head)} == {
        CaseStatus.TERMINATED
    }
    assert HeadVacancy.objects.filter(household=head.household, filled_by__isnull=True).exists()
    assert not Appointment.objects.filter(person=head, status="booked").exists()
    assert not Ticket.objects.filter(person=head, status="waiting").exists()
    assert not ResidentAccount.objects.get(person=head).user.is_active
    assert HealthRecord.objects.get(person=head).status == "closed"
    assert not Contract.objects.filter(record__person=head, status="active").exists()
    assert not Referral.objects.filter(record__person=head, status="requested").exists()
    assert not Enrolment.objects.filter(person=head, status="active").exists()
    assert not Certificate.objects.filter(
        holder_person=head, status=CertificateStatus.VALID
    ).exists()
    assert Complaint.objects.get(complainant_person=head).status == "closed"
    family_sms = OutboxMessage.objects.get(dedupe_key__endswith=":family")
    assert family_sms.recipient_person_id == city.families[0].spouse.pk
    assert number not in family_sms.body
    assert consistency() == 0
    # Sent again: the earlier answer, nothing done twice.
    messages = OutboxMessage.objects.count()
    again = push(ga, "/api/v1/exchange/deaths/", {**record, "reference": "死亡证明Q420001"})
    assert again["replayed"] == 1 and OutboxMessage.objects.count() == messages


def test_a_move_and_a_move_out_pushed_one_by_one(city, ga):
    spouse, child = city.families[0].spouse, city.families[0].child
    spouse_number = with_everything(city, spouse)
    child_number = with_everything(city, child)
    grid = city.grids[2].code  # 泰宁社区: another community, another doctor team

    moved = push(
        ga,
        "/api/v1/exchange/moves/",
        {
            "record_id": "GA-QY-1",
            "id_number": spouse_number,
            "moved_on": "2026-09-28",
            "grid": grid,
        },
    )
    left = push(
        ga,
        "/api/v1/exchange/move-outs/",
        {
            "record_id": "GA-QC-1",
            "id_number": child_number,
            "moved_on": "2026-09-28",
            "destination": "湖北省宜昌市",
        },
    )

    assert (moved["applied"], left["applied"]) == (1, 1), (moved, left)
    spouse = Person.unscoped.get(pk=spouse.pk)
    assert (spouse.grid_id, spouse.area_code) == (grid, grid)
    assert spouse.residence_division_id == TAINING
    assert {e.area_code for e in Enrolment.objects.filter(person=spouse, status="active")} == {grid}
    assert HealthRecord.objects.get(person=spouse).area_code == grid
    assert Contract.objects.get(record__person=spouse).ended_reason == "居住地迁出签约团队服务区域"
    assert Person.unscoped.get(pk=child.pk).life_status == LifeStatus.MOVED_OUT
    assert not Enrolment.objects.filter(person=child, status="active").exists()
    assert HealthRecord.objects.get(person=child).close_reason == "moved_out"
    assert consistency() == 0


def test_credentials_are_each_departments_own(city, ga):
    head = city.families[0].head
    number = crypto.decrypt(head.id_cipher)
    record = {"record_id": "GA-SW-9", "id_number": number, "died_on": "2026-09-27"}
    rs_client, _rs_secret = add_client(actor=ACTOR, department="RS")
    # 人社's id with 公安's secret: the signature is not 人社's.
    forged = push(
        type(ga)(rs_client.client_id, ga.secret, ga.http), "/api/v1/exchange/deaths/", record
    )
    assert (forged["status"], forged["code"]) == (401, "bad_signature")
    call_command("exchange", "disable", ga.client_id, stdout=io.StringIO())
    disabled = push(ga, "/api/v1/exchange/deaths/", record)
    assert (disabled["status"], disabled["code"]) == (401, "unknown_client")
    assert Person.unscoped.get(pk=head.pk).life_status == LifeStatus.ALIVE
    assert list(PushLog.objects.order_by("pk").values_list("reason_code", flat=True)) == [
        "bad_signature",
        "unknown_client",
    ]
    assert not DeadLetter.objects.exists()
