"""Window intake throughput over HTTP on PostgreSQL: accepted cases per second.

    .venv/bin/python bench/cases_intake.py [--cases 3000] [--concurrency 16] [--workers 2]

1. Builds the database `bianmin_bench_cases` once: migrations, the division tree, 2,000 people
   (COPY-free `bulk_create` with identities made by the registry's own `identity_fields`), one
   street centre with 16 clerks (one API token each, as 16 windows), and a service item with
   four materials and two departments reviewing in parallel.
2. Starts the application under gunicorn (gthread) with production settings.
3. 16 clients at once, each on its own keep-alive connection, POST complete applications to
   `/api/v1/cases/` with an `Idempotency-Key`; every answer must be 201 with status
   `in_review`. Prints accepted cases/s, latency p50/p95/p99, and checks the database: as many
   cases, distinct case numbers, events and queued messages as accepted answers.

Target: ≥ 150 accepted cases/s with 16 concurrent clients.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import threading
import time
import uuid
from dataclasses import asdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import lookup  # the benchmarks share their server plumbing
from lookup import (
    PG_SERVER,
    SERVER_ENV,
    Client,
    free_port,
    pct,
    server_cpu_seconds,
    start_server,
    stop_server,
)

DB_NAME = "bianmin_bench_cases"
ENV = {**SERVER_ENV, "DATABASE_URL": f"{PG_SERVER}/{DB_NAME}"}
ITEM = "BENCH-GLJT-001"
PEOPLE = 2000
CLERKS = 16
STREET = "420102002000"  # 江岸区大智街道
COMMUNITY = "420102002003"  # 保成社区


def ensure_database() -> None:
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DB_NAME]).fetchone():
            conn.execute(f'CREATE DATABASE "{DB_NAME}"')


def setup() -> tuple[list[str], list[str]]:
    """Tokens of the clerks and ID numbers of the people (built once, then reused)."""
    os.environ.update(ENV)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bianmin.settings")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from bianmin.catalog.models import Material, ProcessStep, ServiceItem
    from bianmin.core.api import issue_token
    from bianmin.core.identifiers import make_citizen_id
    from bianmin.registry.models import Division, OrgUnit, Person, Staff
    from bianmin.registry.services.divisions import load_divisions
    from bianmin.registry.services.people import identity_fields

    call_command("migrate", verbosity=0)
    if not Division.objects.filter(code=STREET).exists():
        load_divisions(city_prefix="4201")
    numbers = [
        make_citizen_id("420102", dt.date(1940, 1, 1) + dt.timedelta(days=i * 7), i % 900)
        for i in range(PEOPLE)
    ]
    if Person.unscoped.count() < PEOPLE:
        Person.unscoped.all().delete()
        people = []
        for i, number in enumerate(numbers):
            ident = identity_fields(number)
            people.append(
                Person(
                    **asdict(ident),
                    name=f"居民{i:04d}",
                    name_initials="JM",
                    phone="13800000000",
                    residence_division_id=COMMUNITY,
                    area_code=COMMUNITY,
                )
            )
        Person.unscoped.bulk_create(people, batch_size=1000)
    if not ServiceItem.objects.filter(code=ITEM).exists():
        item = ServiceItem.objects.create(
            code=ITEM,
            name="高龄津贴申领（基准）",
            item_type="benefit",
            legal_basis="基准测试",
            department_id="MZ",
            accept_levels=["town"],
            statutory_limit_days=20,
            promised_limit_days=5,
        )
        for seq, (code, form, shared) in enumerate(
            [
                ("id_card", "original", "id_card"),
                ("hukou", "original", ""),
                ("photo", "original", ""),
                ("bank_card", "copy", ""),
            ],
            1,
        ):
            Material.objects.create(
                item=item, seq=seq, code=code, name=code, form=form, shared_source=shared
            )
        for seq, dept in enumerate(["CL", "MZ"], 1):
            ProcessStep.objects.create(
                item=item, seq=seq, name=f"{dept}审查", kind="review", department_id=dept
            )
    unit, _ = OrgUnit.objects.get_or_create(
        code="BENCH-DAZHI",
        defaults={"name": "大智街道便民服务中心", "kind": "centre", "division_id": STREET},
    )
    tokens = []
    for k in range(CLERKS):
        user, created = get_user_model().objects.get_or_create(username=f"bench_clerk_{k}")
        if created:
            Staff.objects.create(user=user, org_unit=unit, role="clerk", display_name=f"窗口{k}")
        tokens.append(issue_token(user=user))
    return tokens, numbers


def intake(client: Client, number: str) -> float:
    body = json.dumps(
        {
            "item_code": ITEM,
            "applicant_id_number": number,
            "channel": "window",
            "materials": ["hukou", "photo", "bank_card"],
        }
    )
    headers = {**client.headers, "Idempotency-Key": uuid.uuid4().hex}
    began = time.perf_counter()
    client.conn.request("POST", "/api/v1/cases/", body=body, headers=headers)
    response = client.conn.getresponse()
    data = response.read()
    elapsed = (time.perf_counter() - began) * 1000
    if response.status != 201 or json.loads(data)["status"] != "in_review":
        raise RuntimeError(f"intake: {response.status} {data[:300]!r}")
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=CLERKS)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args()

    ensure_database()
    tokens, numbers = setup()
    from bianmin.cases.models import Case, CaseEvent
    from bianmin.notifications.models import OutboxMessage

    before = (Case.objects.count(), CaseEvent.objects.count(), OutboxMessage.objects.count())
    port = free_port()
    os.environ.update(ENV)
    lookup.SERVER_ENV["DATABASE_URL"] = ENV["DATABASE_URL"]  # start_server applies SERVER_ENV
    server = start_server(port, args.workers, args.threads, "gthread")
    try:
        warm = Client(port, tokens[0])
        for number in numbers[:20]:
            intake(warm, number)
        samples: list[float] = []
        errors: list[Exception] = []
        lock = threading.Lock()

        def worker(k: int) -> None:
            client = Client(port, tokens[k % len(tokens)])
            mine = []
            try:
                for i in range(k, args.cases, args.concurrency):
                    mine.append(intake(client, numbers[i % len(numbers)]))
            except Exception as e:  # reported below
                errors.append(e)
            with lock:
                samples.extend(mine)

        cpu0 = server_cpu_seconds(server)
        threads = [threading.Thread(target=worker, args=(k,)) for k in range(args.concurrency)]
        began = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.perf_counter() - began
        cpu = server_cpu_seconds(server) - cpu0
    finally:
        stop_server(server)
    if errors:
        print("errors:", errors[:3])
        return 1
    p50, p95, p99 = pct(samples)
    rate = len(samples) / wall
    print(
        f"{len(samples)} accepted cases, {args.concurrency} clients, {wall:.1f} s: "
        f"{rate:.0f} cases/s; latency p50 {p50:.1f} ms p95 {p95:.1f} ms p99 {p99:.1f} ms; "
        f"server CPU {1000 * cpu / len(samples):.1f} ms/case"
    )
    after = (Case.objects.count(), CaseEvent.objects.count(), OutboxMessage.objects.count())
    made = [a - b for a, b in zip(after, before, strict=True)]
    expected = len(samples) + 20
    assert made == [expected] * 3, (made, expected)
    numbers_made = Case.objects.values("case_no").distinct().count()
    assert numbers_made == after[0], "duplicate case numbers"
    print(f"database: {made[0]} cases, {made[1]} events, {made[2]} messages — consistent")
    return 0 if rate >= 150 else 1


if __name__ == "__main__":
    sys.exit(main())
