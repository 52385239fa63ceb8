"""Demo data for `bianmin seed`: an exchange client for 公安 and one for 人社, and a few pushes
through the same service the API uses — deaths (one of an applicant with an open case, one of a
household head), moves to another grid, a 就业登记 — plus the records a real feed gets wrong
(an ID number not in the 人口库, an impossible date, a grid that does not exist), which wait on
the dead-letter page. Runs once: a database with exchange clients is left alone."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable

from django.db.models import Count, Q
from django.utils import timezone

from bianmin.cases.models import OPEN_STATES, Case
from bianmin.core import crypto
from bianmin.core.audit import Actor
from bianmin.core.identifiers import make_citizen_id
from bianmin.exchange import services
from bianmin.exchange.models import DEATH, EMPLOYMENT, MOVE, ExchangeClient, PushOutcome
from bianmin.registry.models import Grid, Household, LifeStatus, Person, Relationship

ACTOR = Actor(name="demo")


def _push(client: ExchangeClient, kind: str, path: str, records: list[dict]) -> list[dict]:
    push = services.log_push(
        client=client,
        claimed=client.client_id,
        path=path,
        ip="10.20.1.15",
        outcome=PushOutcome.ACCEPTED,
        http_status=200,
    )
    return services.process_push(client=client, kind=kind, items=records, push=push)


def _number(person: Person) -> str:
    return crypto.decrypt(person.id_cipher)


def load_demo(*, seed: int, log: Callable[[str], None]) -> None:
    if ExchangeClient.objects.exists():
        log("exchange: clients exist, left alone")
        return
    rng = random.Random(seed)
    today = timezone.localdate()
    ga, _secret = services.add_client(actor=ACTOR, department="GA")
    rs, _secret = services.add_client(actor=ACTOR, department="RS")
    alive = Person.unscoped.filter(life_status=LifeStatus.ALIVE)

    deaths: list[Person] = []
    applicant_ids = list(
        Case.unscoped.filter(status__in=OPEN_STATES, applicant_person__isnull=False)
        .order_by("pk")
        .values_list("applicant_person_id", flat=True)[:40]
    )
    if applicant_ids:
        deaths.append(alive.get(pk=rng.choice(applicant_ids)))
    heads = (
        alive.filter(relationship=Relationship.HEAD, household__isnull=False)
        .annotate(n=Count("household__members", filter=Q(household__members__life_status="alive")))
        .filter(n__gte=2, birth_date__lt=today - dt.timedelta(days=70 * 365))
        .exclude(pk__in=[p.pk for p in deaths])
        .order_by("pk")[:20]
    )
    if heads:
        deaths.append(rng.choice(list(heads)))
    records = [
        {
            "record_id": f"GA-SW-{today:%Y%m}-{i:04d}",
            "id_number": _number(p),
            "died_on": (today - dt.timedelta(days=rng.randint(2, 9))).isoformat(),
            "reason": "疾病死亡",
            "reference": f"死亡证明{rng.randint(100000, 999999)}",
        }
        for i, p in enumerate(deaths, 1)
    ]
    # What a real feed gets wrong: a number the 人口库 does not know, an impossible date.
    stranger = make_citizen_id("420102", dt.date(1951, 7, 14), 2 * rng.randint(100, 400) + 1)
    records.append(
        {"record_id": f"GA-SW-{today:%Y%m}-0090", "id_number": stranger, "died_on": "2026-01-09"}
    )
    if deaths:
        records.append(
            {
                "record_id": f"GA-SW-{today:%Y%m}-0091",
                "id_number": _number(alive.exclude(pk__in=[p.pk for p in deaths]).first()),
                "died_on": f"{today.year}-02-30",
            }
        )
    results = _push(ga, DEATH, "/api/v1/exchange/batches/", records)

    # A family moves together to another grid of its community: the household follows its head.
    moves = []
    families = list(
        Household.unscoped.filter(grid__isnull=False)
        .exclude(members__pk__in=[p.pk for p in deaths])
        .order_by("pk")[:30]
    )
    rng.shuffle(families)
    household, other = None, None
    for candidate in families:
        other = (
            Grid.unscoped.filter(community_id=candidate.division_id)
            .exclude(code=candidate.grid_id)
            .first()
        )
        if other is not None:
            household = candidate
            break
    if other is not None:
        family = sorted(
            alive.filter(household=household), key=lambda p: p.relationship == Relationship.HEAD
        )
        address = f"{other.community.name}{rng.randint(1, 40)}栋{rng.randint(1, 6)}单元"
        for i, person in enumerate(family, 1):
            moves.append(
                {
                    "record_id": f"GA-JZ-{today:%Y%m}-{i:04d}",
                    "id_number": _number(person),
                    "moved_on": (today - dt.timedelta(days=3)).isoformat(),
                    "grid": other.code,
                    "address": address,
                }
            )
    movers = list(
        alive.filter(grid__isnull=False).exclude(pk__in=[p.pk for p in deaths]).order_by("pk")[:30]
    )
    if movers:
        moves.append(
            {
                "record_id": f"GA-JZ-{today:%Y%m}-0090",
                "id_number": _number(movers[-1]),
                "moved_on": (today - dt.timedelta(days=1)).isoformat(),
                "grid": f"{movers[-1].grid.community_id}99",
            }
        )
    results += _push(ga, MOVE, "/api/v1/exchange/moves/", moves)

    workers = list(
        alive.filter(
            birth_date__range=(
                today - dt.timedelta(days=50 * 365),
                today - dt.timedelta(days=20 * 365),
            )
        )
        .exclude(pk__in=[p.pk for p in deaths])
        .order_by("pk")[:20]
    )
    if workers:
        worker = rng.choice(workers)
        results += _push(
            rs,
            EMPLOYMENT,
            "/api/v1/exchange/employment-registrations/",
            [
                {
                    "record_id": f"RS-JY-{today:%Y%m}-0001",
                    "id_number": _number(worker),
                    "registered_on": (today - dt.timedelta(days=5)).isoformat(),
                    "employer": "武汉江岸区某某物流有限公司",
                }
            ],
        )
    applied = sum(1 for r in results if r["status"] == "applied")
    log(f"exchange: 2 clients, {applied} records applied, {len(results) - applied} dead letters")
