"""Administrators' pages: dead letters (correct and retry, discard), push log, life events;
and the `bianmin exchange` command."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from bianmin.core import crypto
from bianmin.core.audit import Actor
from bianmin.core.models import AuditEntry
from bianmin.exchange.models import DeadLetter, ExchangeClient
from bianmin.exchange.services import discard_dead_letter, retry_dead_letter
from bianmin.registry.models import LifeStatus
from tests import factories
from tests.conftest import BAOCHENG
from tests.webclient import signed_in as client_for

pytestmark = pytest.mark.django_db
DEATHS = "/api/v1/exchange/deaths/"
YESTERDAY = (timezone.localdate() - dt.timedelta(days=1)).isoformat()


@pytest.fixture
def letter(ga):
    number = factories.id_number(birth=dt.date(1945, 4, 4))
    person = factories.person(community=BAOCHENG, birth=dt.date(1945, 4, 4), id_number=number)
    ga.push(DEATHS, {"record_id": "L1", "id_number": number, "died_on": "2026-02-31"})
    letter = DeadLetter.objects.get()
    letter.person, letter.number = person, number
    return letter


def test_pages_are_for_administrators_only(letter, baocheng_worker):
    c = client_for(baocheng_worker)
    for url in ("/exchange/dead-letters/", "/exchange/pushes/", "/exchange/life-events/"):
        assert c.get(url).status_code == 403


def test_admin_reviews_a_masked_dead_letter_and_retries_it_corrected(letter, city_admin):
    c = client_for(city_admin)
    page = c.get("/exchange/dead-letters/").content.decode()
    assert "invalid_date" in page and "L1" in page
    detail = c.get(f"/exchange/dead-letters/{letter.pk}/").content.decode()
    assert letter.number not in detail and letter.person.id_masked in detail
    r = c.post(f"/exchange/dead-letters/{letter.pk}/", {"action": "retry", "died_on": YESTERDAY})
    assert r.status_code == 302
    letter.refresh_from_db()
    letter.person.refresh_from_db()
    assert letter.status == "resolved" and letter.resolved_by_id == city_admin.pk
    assert letter.person.life_status == LifeStatus.DECEASED
    assert "死亡" in c.get("/exchange/life-events/").content.decode()
    pushes = c.get("/exchange/pushes/").content.decode()
    assert DEATHS in pushes


def test_a_retry_that_fails_again_keeps_the_letter_open_with_the_new_reason(letter):
    result = retry_dead_letter(
        actor=Actor(name="t"), letter=letter, corrections={"died_on": "2099-01-01"}
    )
    letter.refresh_from_db()
    assert result["code"] == "future_date"
    assert (letter.status, letter.reason_code) == ("open", "future_date")


def test_discard_needs_a_reason_and_is_audited(letter, city_admin):
    c = client_for(city_admin)
    c.post(f"/exchange/dead-letters/{letter.pk}/", {"action": "discard", "reason": ""})
    letter.refresh_from_db()
    assert letter.status == "open"
    c.post(
        f"/exchange/dead-letters/{letter.pk}/", {"action": "discard", "reason": "公安已撤回该记录"}
    )
    letter.refresh_from_db()
    assert (letter.status, letter.resolution) == ("discarded", "公安已撤回该记录")
    assert AuditEntry.objects.filter(object_type="dead_letter", object_id=str(letter.pk)).exists()
    with pytest.raises(ValidationError):
        discard_dead_letter(actor=Actor(name="t"), letter=letter, reason="再次作废")


def test_a_non_admin_cannot_resolve(letter, baocheng_worker):
    from django.core.exceptions import PermissionDenied

    from bianmin.registry.access import actor_for

    with pytest.raises(PermissionDenied):
        discard_dead_letter(actor=actor_for(baocheng_worker), letter=letter, reason="没有权限")


def test_add_client_prints_the_secret_once_and_stores_it_encrypted():
    out = io.StringIO()
    call_command("exchange", "add-client", "--department", "GA", stdout=out, stderr=io.StringIO())
    lines = dict(line.split(":", 1) for line in out.getvalue().splitlines())
    client = ExchangeClient.objects.get(client_id=lines["client_id"].strip())
    secret = lines["secret"].strip()
    assert secret not in client.secret_cipher
    assert crypto.decrypt(client.secret_cipher) == secret
    assert client.kinds == ["death", "move", "move_out"]
    listing = io.StringIO()
    call_command("exchange", "list", stdout=listing)
    assert client.client_id in listing.getvalue() and secret not in listing.getvalue()
    call_command("exchange", "disable", client.client_id, stdout=io.StringIO())
    client.refresh_from_db()
    assert not client.active
    with pytest.raises(CommandError):
        call_command("exchange", "add-client", "--department", "NOPE", stdout=io.StringIO())


def test_a_grid_worker_records_the_new_head_of_a_vacant_household(baocheng_worker, wannian_worker):
    from bianmin.registry.models import Person
    from bianmin.registry.services import lifeevents
    from tests.exchange.helpers import ACTOR, family

    fam = family()
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    lifeevents.record_death(actor=ACTOR, person=fam.head, died_on=yesterday, source="公安推送")
    # Another community's worker does not see it.
    assert (
        fam.household.number
        not in client_for(wannian_worker).get("/exchange/head-vacancies/").content.decode()
    )
    c = client_for(baocheng_worker)
    page = c.get("/exchange/head-vacancies/").content.decode()
    assert fam.household.number in page and "陈桂兰" in page
    from bianmin.exchange.models import HeadVacancy

    vacancy = HeadVacancy.objects.get()
    r = c.post(
        "/exchange/head-vacancies/",
        {"vacancy": vacancy.pk, f"v{vacancy.pk}-person": fam.spouse.pk},
    )
    assert r.status_code == 302
    vacancy.refresh_from_db()
    assert vacancy.filled_by_id == fam.spouse.pk
    assert Person.unscoped.get(pk=fam.spouse.pk).relationship == "02"
    assert "没有户主空缺的户" in c.get("/exchange/head-vacancies/").content.decode()
