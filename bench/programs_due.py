"""A worker's 随访待办 (due/overdue list) in a township of 50,000 residents with five years of
follow-ups, on PostgreSQL.

    .venv/bin/python bench/programs_due.py [--people 50000] [--calls 300] [--rebuild]

1. Builds the database `bianmin_bench_programs` once (reused while it holds the township):
   migrations, the division tree, grids for every community of 大智街道 (420102002), the
   residents COPYed in with encrypted numbers as the registry stores them, five programs
   defined through `define_program` (高血压 and 糖尿病 every 3 months face-to-face, 65岁以上
   yearly, 0–6岁儿童 at planned ages, 独居老人 monthly), enrolments and five years of visits
   generated with `programs.schedule` (late and missed visits included, ~3 % exited) and
   COPYed in with their denormalised `next_due_on`. Set-up, not the service path.
2. In this process, interleaved call by call on the same connection, measures
   - the page's due list exactly as `programs.views.due` runs it — `due_counts` (the four
     tiles, which also give the paginator its count), the ids of the first page of 30 of
     `due_list(bucket="all")` and those rows with their person and program (`with_details`)
     — through the scoped query functions, inside the scope of a community doctor, of a
     community grid worker and of the street's doctor (the whole township);
   - the baseline: a primary-key SELECT of one random enrolment through the ORM, same table.
   Prints p50/p95/p99, the ratio to the baseline, and the due query's plan.

Target: the worker's due/overdue list p95 < 200 ms.
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import json
import os
import random
import statistics
import sys
import time

DB_NAME = "bianmin_bench_programs"
PG_SERVER = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
FIELD_KEY = base64.urlsafe_b64encode(b"bench-progrm-field-key-32-bytes!").decode()
ENV = {
    "BIANMIN_ENV": "production",
    "BIANMIN_SECRET_KEY": "bench-programs-secret-key-not-used-anywhere-else-0123456789",
    "BIANMIN_FIELD_KEY": FIELD_KEY,
    "BIANMIN_ALLOWED_HOSTS": "127.0.0.1",
    "BIANMIN_LOG_LEVEL": "WARNING",
    "DATABASE_URL": f"{PG_SERVER}/{DB_NAME}",
}
STREET = "420102002"  # 江岸区大智街道
GRIDS_PER_COMMUNITY = 4
YEARS = 5
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国红梅文斌俊鹏辉玉兰"


def ensure_database(rebuild: bool) -> None:
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DB_NAME]).fetchone()
        if exists and rebuild:
            conn.execute(f'DROP DATABASE "{DB_NAME}" WITH (FORCE)')
            exists = None
        if not exists:
            conn.execute(f'CREATE DATABASE "{DB_NAME}"')


def setup_django() -> None:
    os.environ.update(ENV)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bianmin.settings")
    import django

    django.setup()


# --- Set-up ---------------------------------------------------------------------------------


def grids() -> list[tuple[str, str]]:
    """[(grid code, community code)] of the street, created if missing."""
    from bianmin.registry.models import Division, DivisionLevel, Grid

    out = []
    for community in Division.objects.filter(
        level=DivisionLevel.VILLAGE, prefix__startswith=STREET
    ).order_by("code"):
        for seq in range(1, GRIDS_PER_COMMUNITY + 1):
            g, _ = Grid.unscoped.get_or_create(
                code=f"{community.prefix}{seq:02d}",
                defaults={"name": f"第{seq}网格", "community": community},
            )
            out.append((g.code, community.code))
    return out


def copy_rows(cursor, table: str, columns: list[str], rows) -> int:
    n = 0
    with cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        lines: list[str] = []
        for row in rows:
            lines.append("\t".join("\\N" if v is None else str(v) for v in row))
            n += 1
            if len(lines) == 20000:
                copy.write("\n".join(lines) + "\n")
                lines.clear()
        if lines:
            copy.write("\n".join(lines) + "\n")
    return n


def load_people(total: int, grid_list: list[tuple[str, str]], today: dt.date) -> None:
    from django.db import connection
    from django.utils import timezone

    from bianmin.core import crypto
    from bianmin.core.identifiers import make_citizen_id
    from bianmin.core.masking import mask_id_number
    from bianmin.registry.naming import initials

    now = timezone.now().isoformat()
    rng = random.Random(7)

    def rows():
        for i in range(total):
            grid, community = grid_list[i % len(grid_list)]
            # Ages 0–95, thinner at the top, as a township's pyramid roughly is.
            age_days = int(min(rng.expovariate(1 / 38), 95) * 365.25)
            birth = today - dt.timedelta(days=age_days + 1)
            number = make_citizen_id("420102", birth, i % 1000)
            name = SURNAMES[i % len(SURNAMES)] + GIVEN[(i // 7) % len(GIVEN)]
            yield (
                crypto.encrypt(number), f"{i:08d}" + crypto.lookup_hash(number)[8:],
                mask_id_number(number), number[-4:], name, initials(name),
                "M" if int(number[16]) % 2 else "F", birth.isoformat(), "汉族", "", "",
                community, "", community, grid, f"{i % 300 + 1}号", "registered", "alive", "",
                grid, now, now,
            )  # fmt: skip

    columns = [
        "id_cipher", "id_hash", "id_masked", "id_last4", "name", "name_initials", "sex",
        "birth_date", "ethnicity", "phone", "relationship", "registered_division_id",
        "registered_address", "residence_division_id", "grid_id", "residence_address",
        "residence_type", "life_status", "status_source", "area_code", "created_at",
        "updated_at",
    ]  # fmt: skip
    began = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO off")
        copy_rows(cursor, "registry_person", columns, rows())
        cursor.execute("ANALYZE registry_person")
    print(f"  people: {total:,} in {time.perf_counter() - began:.0f} s", flush=True)


FORM = [
    {"key": "sbp", "label": "收缩压", "type": "int", "unit": "mmHg", "min": 60, "max": 260},
    {"key": "dbp", "label": "舒张压", "type": "int", "unit": "mmHg", "min": 30, "max": 160},
]


def define_programs():
    from bianmin.core.audit import Actor
    from bianmin.programs.services import define_program

    actor = Actor(name="bench")
    health = {"restricted_to": "WJ", "responsible_role": "doctor", "sector": "health",
              "responsible_unit_kind": "health", "form_schema": FORM}  # fmt: skip
    return {
        "htn": define_program(actor=actor, code="bench-htn", name="高血压患者健康管理",
                              schedule_kind="every_n_months", interval_months=3,
                              counted_kinds=["clinic", "home"], **health),
        "dm": define_program(actor=actor, code="bench-dm", name="2型糖尿病患者健康管理",
                             schedule_kind="every_n_months", interval_months=3,
                             counted_kinds=["clinic", "home"], **health),
        "old": define_program(actor=actor, code="bench-65", name="65岁以上老年人健康管理",
                              schedule_kind="yearly", yearly_due="12-31", **health),
        "kid": define_program(actor=actor, code="bench-kids", name="0-6岁儿童健康管理",
                              schedule_kind="plan",
                              plan_offsets=[1, 3, 6, 8, 12, 18, 24, 30, 36, 48, 60, 72],
                              **health),
        "alone": define_program(actor=actor, code="bench-alone", name="独居老人关爱走访",
                                sector="elderly", schedule_kind="every_n_months",
                                interval_months=1, responsible_role="grid"),
    }  # fmt: skip


def load_follow_ups(today: dt.date) -> tuple[int, int]:
    from django.db import connection
    from django.utils import timezone

    from bianmin.programs.models import Enrolment
    from bianmin.programs.schedule import add_months, next_due, plan_points
    from bianmin.registry.models import Person

    programs = define_programs()
    rng = random.Random(11)
    now = timezone.now().isoformat()
    start = add_months(today, -12 * YEARS)
    data = json.dumps({"sbp": 132, "dbp": 84})
    next_id = (Enrolment.unscoped.order_by("-id").values_list("id", flat=True).first() or 0) + 1
    enrolments, visits = [], []

    def follow(program, person_id, birth, area, enrolled_on):
        nonlocal next_id
        dates: list[dt.date] = []
        if program.schedule_kind == "plan":
            due = plan_points(program, birth_date=birth, enrolled_on=enrolled_on)
        else:
            due, day = [], enrolled_on + dt.timedelta(days=rng.randint(5, 30))
            step = 12 if program.schedule_kind == "yearly" else program.interval_months
            while day <= today:
                due.append(day)
                day = add_months(day, step)
        for d in due:
            day = d + dt.timedelta(days=rng.randint(-10, 20))
            if day <= today and day >= enrolled_on and rng.random() > 0.08:
                dates.append(day)
        exited = rng.random() < 0.03
        exited_on = today - dt.timedelta(days=rng.randint(1, 900)) if exited else None
        if exited_on is not None:
            exited_on = max(exited_on, enrolled_on)
            dates = [d for d in dates if d <= exited_on]
        nd = None
        if not exited:
            nd = next_due(program, birth_date=birth, enrolled_on=enrolled_on, visits=dates)
        restricted = program.restricted_to_id
        enrolments.append((
            next_id, program.pk, person_id, "exited" if exited else "active", enrolled_on,
            "auto", "", "death" if exited else "", "", exited_on, area, restricted, nd,
            max(dates) if dates else None, len(dates), now, now,
        ))  # fmt: skip
        kind = "home" if program.code == "bench-alone" else "clinic"
        for d in dates:
            visits.append((next_id, d, kind, "", data if restricted else "{}", "", "", area,
                           restricted, now))  # fmt: skip
        next_id += 1

    for person_id, birth, area in Person.unscoped.values_list("id", "birth_date", "area_code"):
        age = (today - birth).days // 365
        since = max(start, birth)
        if age >= 35 and rng.random() < 0.18:
            follow(
                programs["htn"], person_id, birth, area, since + dt.timedelta(rng.randint(0, 900))
            )
        if age >= 35 and rng.random() < 0.07:
            follow(
                programs["dm"], person_id, birth, area, since + dt.timedelta(rng.randint(0, 900))
            )
        if age >= 65 and rng.random() < 0.7:
            follow(programs["old"], person_id, birth, area, max(start, add_months(birth, 65 * 12)))
        if age >= 70 and rng.random() < 0.12:
            follow(
                programs["alone"], person_id, birth, area, since + dt.timedelta(rng.randint(0, 600))
            )
        if age < 7 and rng.random() < 0.9:
            follow(
                programs["kid"], person_id, birth, area, max(start, birth + dt.timedelta(days=7))
            )

    began = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO off")
        copy_rows(cursor, "programs_enrolment", [
            "id", "program_id", "person_id", "status", "enrolled_on", "enrolment_mode",
            "enrol_note", "exit_reason", "exit_note", "exited_on", "area_code",
            "restricted_to_id", "next_due_on", "last_visit_on", "visit_count", "created_at",
            "updated_at",
        ], enrolments)  # fmt: skip
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('programs_enrolment', 'id'), %s)", [next_id]
        )
        copy_rows(cursor, "programs_visit", [
            "enrolment_id", "visited_on", "kind", "performer_name", "data", "outcome", "notes",
            "area_code", "restricted_to_id", "created_at",
        ], visits)  # fmt: skip
        cursor.execute("ANALYZE programs_enrolment")
        cursor.execute("ANALYZE programs_visit")
    print(f"  enrolments {len(enrolments):,}, visits {len(visits):,} "
          f"in {time.perf_counter() - began:.0f} s", flush=True)  # fmt: skip
    return len(enrolments), len(visits)


def build(total: int, today: dt.date) -> None:
    from django.core.management import call_command

    from bianmin.programs.models import Enrolment
    from bianmin.registry.models import Division, Person
    from bianmin.registry.services.divisions import load_divisions

    call_command("migrate", verbosity=0)
    if not Division.objects.filter(code="420100").exists():
        load_divisions(city_prefix="4201")
    grid_list = grids()
    if Person.unscoped.count() < total:
        load_people(total, grid_list, today)
    if not Enrolment.unscoped.exists():
        load_follow_ups(today)


# --- Measurement ----------------------------------------------------------------------------


def due_page(role: str, today: dt.date) -> int:
    """What `programs.views.due` asks the database for one page."""
    from bianmin.programs import queries

    queries.due_counts(role=role, on=today)
    ids = queries.due_list(bucket="all", role=role, on=today).values_list("pk", flat=True)
    return len(queries.with_details(list(ids[:30])))


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def measure(calls: int, today: dt.date) -> list[tuple[str, dict]]:
    from bianmin.core.scope import Scope, acting_in
    from bianmin.programs import queries
    from bianmin.programs.models import Enrolment
    from bianmin.registry.models import Division, DivisionLevel

    communities = list(
        Division.objects.filter(level=DivisionLevel.VILLAGE, prefix__startswith=STREET).values_list(
            "prefix", flat=True
        )
    )
    ids = list(Enrolment.unscoped.values_list("id", flat=True))
    rng = random.Random(3)
    cases = [
        ("社区医生 community doctor", "doctor", "WJ", lambda: rng.choice(communities)),
        ("社区网格员 community grid worker", "grid", None, lambda: rng.choice(communities)),
        ("街道医生 street doctor (township)", "doctor", "WJ", lambda: STREET),
    ]
    results = []
    for label, role, dept, area in cases:
        base, due, rows = [], [], []
        for i in range(calls + 20):
            scope = Scope(area_prefix=area(), department_code=dept, user_id=1)
            t0 = time.perf_counter()
            Enrolment.unscoped.only("id", "next_due_on").get(pk=rng.choice(ids))
            t1 = time.perf_counter()
            with acting_in(scope):
                n = due_page(role, today)
            t2 = time.perf_counter()
            if i >= 20:  # warm-up
                base.append((t1 - t0) * 1000)
                due.append((t2 - t1) * 1000)
                rows.append(n)
        with acting_in(Scope(area_prefix=area(), department_code=dept, user_id=1)):
            counts = queries.due_counts(role=role, on=today)
        results.append((label, {"base": base, "due": due, "rows": statistics.mean(rows),
                                "counts": counts}))  # fmt: skip
    return results


def explain(today: dt.date) -> str:
    from django.db import connection

    from bianmin.core.scope import Scope, acting_in
    from bianmin.programs import queries
    from bianmin.registry.models import Division, DivisionLevel

    community = (
        Division.objects.filter(level=DivisionLevel.VILLAGE, prefix__startswith=STREET)
        .order_by("code").values_list("prefix", flat=True).first()
    )  # fmt: skip
    with acting_in(Scope(area_prefix=community, department_code="WJ", user_id=1)):
        qs = queries.due_list(bucket="all", role="doctor", on=today).values_list("pk")[:30]
        sql, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) " + sql, params)
        return "\n".join(r[0] for r in cursor.fetchall())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--people", type=int, default=50_000)
    parser.add_argument("--calls", type=int, default=300)
    parser.add_argument("--rebuild", action="store_true", help="drop and build the database")
    args = parser.parse_args()
    ensure_database(args.rebuild)
    setup_django()
    from django.utils import timezone

    today = timezone.localdate()
    print(f"building/reusing {DB_NAME} …", flush=True)
    build(args.people, today)
    from bianmin.programs.models import Enrolment, Visit

    enrolments, visits = Enrolment.unscoped.count(), Visit.unscoped.count()
    print(f"township: {args.people:,} residents, {enrolments:,} enrolments, {visits:,} visits; "
          f"{args.calls} calls per role, interleaved")  # fmt: skip
    print(f"{'':36} {'p50':>8} {'p95':>8} {'p99':>8}   ratio p95")
    for label, r in measure(args.calls, today):
        b50, b95, b99 = (pct(r["base"], q) for q in (0.5, 0.95, 0.99))
        d50, d95, d99 = (pct(r["due"], q) for q in (0.5, 0.95, 0.99))
        print(f"{label:36}")
        print(f"{'  baseline pk SELECT (ms)':36} {b50:8.2f} {b95:8.2f} {b99:8.2f}")
        print(f"{'  due page (ms)':36} {d50:8.2f} {d95:8.2f} {d99:8.2f}   ×{d95 / b95:.1f}"
              f"   {'OK' if d95 < 200 else 'OVER'} (<200 ms)")  # fmt: skip
        print(f"{'  list sizes':36} {r['counts']}")
    print("\nplan of the due list (community doctor, first page):")
    print(explain(today))


if __name__ == "__main__":
    sys.exit(main())
