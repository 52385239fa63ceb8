"""All health-record indicators of the demo city in one run, against hand-written SQL for the
same figures, on PostgreSQL.

    .venv/bin/python bench/health_indicators.py [--people 60000] [--runs 5] [--rebuild]
                                                [--database bianmin_bench_health]

1. Builds the database (`--database`, default `bianmin_bench_health`) once (reused while it
   holds the people):
   migrations, the division tree of Wuhan, one health centre per street (as the demo city
   has), residents COPYed into every community of the city, then the health app's own demo
   loader (`health.demo.load_demo_health`): ~85 % filed, hypertension ~25 % and type-2
   diabetes ~10 % of people 35+, a year of follow-ups, check-ups, encounters, referrals.
2. In this process, alternating run by run on the same connection, measures
   - the indicator library: `engine.values_many(health.indicators.CODES, division="420100",
     period=Year(this year))` — the nine declared health indicators for the city and each of
     its districts (the health page's first screen), and the same for one district and its
     streets (the first drill-down);
   - the baseline: hand-written SQL computing the same numerators and denominators, with the
     library's semantics (states as of 31 December, check-ups within the calendar year),
     grouped by unit (one statement per figure family, as one would write them by hand).
   Checks both give identical figures, prints the median and the ratio library / SQL.

Target: within 2× of the hand-written SQL.
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import os
import random
import statistics
import sys
import time

PG_SERVER = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
FIELD_KEY = base64.urlsafe_b64encode(b"bench-health-field-key-32-bytes!").decode()
ENV = {
    "BIANMIN_ENV": "production",
    "BIANMIN_SECRET_KEY": "bench-health-secret-key-not-used-anywhere-else-0123456789ab",
    "BIANMIN_FIELD_KEY": FIELD_KEY,
    "BIANMIN_ALLOWED_HOSTS": "127.0.0.1",
    "BIANMIN_LOG_LEVEL": "WARNING",
}
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国红梅文斌俊鹏辉玉兰"


def ensure_database(name: str, rebuild: bool) -> None:
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and rebuild:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = None
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def setup_django(name: str) -> None:
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "src"))
    os.environ.update(ENV, DATABASE_URL=f"{PG_SERVER}/{name}")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bianmin.settings")
    import django

    django.setup()


def build(people: int) -> None:
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from bianmin.core import crypto
    from bianmin.core.identifiers import make_citizen_id
    from bianmin.core.masking import mask_id_number
    from bianmin.health.demo import load_demo_health
    from bianmin.health.models import HealthRecord
    from bianmin.registry.models import Division, DivisionLevel, OrgUnit, Person
    from bianmin.registry.naming import initials
    from bianmin.registry.services.divisions import load_divisions

    call_command("migrate", verbosity=0)
    if Person.unscoped.count() >= people and HealthRecord.unscoped.exists():
        return
    began = time.perf_counter()
    load_divisions(city_prefix="4201")
    streets = Division.objects.filter(level=DivisionLevel.TOWN, prefix__startswith="4201")
    for street in streets:
        OrgUnit.objects.get_or_create(
            code=f"WSY-{street.code}",
            defaults={"name": f"{street.name}社区卫生服务中心", "kind": "health",
                      "division": street, "department_id": "WJ"},
        )  # fmt: skip
    villages = list(
        Division.objects.filter(level=DivisionLevel.VILLAGE, prefix__startswith="4201")
        .order_by("code")
        .values_list("code", flat=True)
    )
    rng = random.Random(5)
    today = timezone.localdate()
    now = timezone.now().isoformat()
    columns = [
        "id_cipher", "id_hash", "id_masked", "id_last4", "name", "name_initials", "sex",
        "birth_date", "ethnicity", "phone", "relationship", "registered_division_id",
        "registered_address", "residence_division_id", "residence_address", "residence_type",
        "life_status", "status_source", "area_code", "created_at", "updated_at",
    ]  # fmt: skip
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY registry_person ({', '.join(columns)}) FROM STDIN") as copy,
    ):
        for i in range(people):
            village = villages[i % len(villages)]
            birth = today - dt.timedelta(days=int(min(rng.expovariate(1 / 40), 95) * 365.25) + 1)
            number = make_citizen_id(village[:6], birth, i % 1000)
            name = SURNAMES[i % len(SURNAMES)] + GIVEN[(i // 7) % len(GIVEN)]
            row = (
                crypto.encrypt(number), f"{i:08d}" + crypto.lookup_hash(number)[8:],
                mask_id_number(number), number[-4:], name, initials(name),
                "M" if int(number[16]) % 2 else "F", birth.isoformat(), "汉族", "", "",
                village, "", village, f"{i % 300 + 1}号", "registered", "alive", "", village,
                now, now,
            )  # fmt: skip
            copy.write_row(row)
    print(f"  people: {people:,} in {time.perf_counter() - began:.0f} s", flush=True)
    began = time.perf_counter()
    load_demo_health(seed=1, log=lambda m: print("  " + m, flush=True), programs=False)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"  health demo in {time.perf_counter() - began:.0f} s", flush=True)


# States as the library reads them on the period's last day (docs/health.md).
ALIVE = "(p.life_status = 'alive' OR p.status_date > %(end)s)"
OPEN = "r.opened_on <= %(end)s AND (r.status = 'active' OR r.closed_on > %(end)s)"
SQL = {
    "people": f"""
        SELECT substr(p.area_code, 1, %(n)s) u, count(*),
               count(*) FILTER (WHERE p.birth_date <= %(senior)s)
        FROM registry_person p
        WHERE p.area_code LIKE %(p)s AND p.created_at < %(end_at)s AND {ALIVE} GROUP BY 1""",
    "records": f"""
        SELECT substr(r.area_code, 1, %(n)s) u, count(*),
               count(*) FILTER (WHERE r.electronic), count(*) FILTER (WHERE r.complete),
               count(*) FILTER (WHERE EXISTS (
                   SELECT 1 FROM health_healthcheck c
                   WHERE c.record_id = r.id AND c.checked_on BETWEEN %(start)s AND %(end)s)
                 OR EXISTS (SELECT 1 FROM health_encounter e
                   WHERE e.record_id = r.id AND e.started_on BETWEEN %(start)s AND %(end)s))
        FROM health_healthrecord r
        WHERE r.area_code LIKE %(p)s AND {OPEN} GROUP BY 1""",
    "chronic": f"""
        WITH managed AS (
            SELECT r.id, substr(r.area_code, 1, %(n)s) u FROM health_healthrecord r
            WHERE r.area_code LIKE %(p)s AND {OPEN} AND EXISTS (
                SELECT 1 FROM health_condition d WHERE d.record_id = r.id
                AND d.category = %(cat)s AND d.status = 'active' AND d.onset_on <= %(end)s)),
        fu AS (
            SELECT c.record_id, count(*) n FROM health_healthcheck c JOIN managed m
              ON m.id = c.record_id
            WHERE c.kind = 'follow_up' AND c.face_to_face
              AND c.checked_on BETWEEN %(start)s AND %(end)s GROUP BY 1),
        last AS (
            SELECT DISTINCT ON (c.record_id) c.record_id, c.systolic, c.diastolic,
                   c.fasting_glucose
            FROM health_healthcheck c JOIN managed m ON m.id = c.record_id
            WHERE c.checked_on BETWEEN %(start)s AND %(end)s AND c.{{col}} IS NOT NULL
            ORDER BY c.record_id, c.checked_on DESC, c.id DESC)
        SELECT m.u, count(*), count(*) FILTER (WHERE fu.n >= 4),
               count(*) FILTER (WHERE {{controlled}})
        FROM managed m LEFT JOIN fu ON fu.record_id = m.id
        LEFT JOIN last ON last.record_id = m.id
        GROUP BY 1""",
    "elderly": f"""
        SELECT substr(r.area_code, 1, %(n)s) u, count(*)
        FROM health_healthrecord r JOIN registry_person p ON p.id = r.person_id
        WHERE r.area_code LIKE %(p)s AND {OPEN} AND p.birth_date <= %(senior)s
          AND {ALIVE} AND EXISTS (
            SELECT 1 FROM health_healthcheck c WHERE c.record_id = r.id
            AND c.checked_on BETWEEN %(start)s AND %(end)s AND c.kind IN ('elderly', 'annual'))
        GROUP BY 1""",
}
# library code → (numerator, denominator) among the SQL's figures
PAIRS = {
    "health.filing_rate": ("records", "population"),
    "health.electronic_rate": ("electronic", "population"),
    "health.complete_rate": ("complete", "records"),
    "health.usage_rate": ("used", "records"),
    "health.htn_standard_rate": ("htn_standard", "htn_managed"),
    "health.bp_control_rate": ("htn_controlled", "htn_managed"),
    "health.t2d_standard_rate": ("t2d_standard", "t2d_managed"),
    "health.glucose_control_rate": ("t2d_controlled", "t2d_managed"),
    "health.elderly_rate": ("elderly_checked", "elderly"),
}

KEYS = list(dict.fromkeys(k for pair in PAIRS.values() for k in pair))


def hand_sql(prefix: str, child_length: int, year: int) -> dict:
    """{unit prefix: {code: (numerator, denominator)}} for the units one level below `prefix`
    and `prefix` itself (the sum of its units)."""
    from django.db import connection
    from django.utils import timezone

    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    params = {"n": child_length, "p": prefix + "%", "start": start, "end": end,
              "end_at": timezone.make_aware(dt.datetime(year + 1, 1, 1)),
              "senior": dt.date(year - 65, 12, 31)}  # fmt: skip
    figures: dict[str, dict[str, int]] = {}

    def f(u):
        return figures.setdefault(u, dict.fromkeys(KEYS, 0))

    with connection.cursor() as c:
        c.execute(SQL["people"], params)
        for u, n, old in c.fetchall():
            f(u)["population"], f(u)["elderly"] = n, old
        c.execute(SQL["records"], params)
        for u, n, e, comp, used in c.fetchall():
            f(u).update(records=n, electronic=e, complete=comp, used=used)
        for cat, name, col, controlled in (
            ("hypertension", "htn", "systolic", "last.systolic < 140 AND last.diastolic < 90"),
            ("t2d", "t2d", "fasting_glucose", "last.fasting_glucose < 7.0"),
        ):
            c.execute(SQL["chronic"].format(col=col, controlled=controlled),
                      {**params, "cat": cat})  # fmt: skip
            for u, n, std, ok in c.fetchall():
                f(u).update({f"{name}_managed": n, f"{name}_standard": std,
                             f"{name}_controlled": ok})  # fmt: skip
        c.execute(SQL["elderly"], params)
        for u, n in c.fetchall():
            f(u)["elderly_checked"] = n
    whole = f(prefix)
    for u, got in figures.items():
        if u != prefix:
            for key, amount in got.items():
                whole[key] += amount
    return {
        u: {code: (got[num], got[den]) for code, (num, den) in PAIRS.items()}
        for u, got in figures.items()
    }


def library(division: str, year: int) -> dict:
    """The same from the indicator library: {unit prefix: {code: (numerator, denominator)}}."""
    from bianmin.health.indicators import CODES
    from bianmin.indicators import engine
    from bianmin.indicators.library import Year
    from bianmin.registry.models import Division

    got = engine.values_many(CODES, division=division, period=Year(year))
    prefixes = dict(Division.objects.values_list("code", "prefix"))
    out: dict[str, dict] = {}
    for code, by_unit in got.items():
        for unit, v in by_unit.items():
            if v.denominator:  # units without residents are absent from the SQL's groups
                out.setdefault(prefixes[unit], {})[code] = (int(v.numerator), int(v.denominator))
    return out


def _pad(figures: dict) -> dict:
    """Every code for every unit (a unit with residents but no records has zero pairs)."""
    return {u: {code: got.get(code, (0, 0)) for code in PAIRS} for u, got in figures.items()}


def timed(func, runs: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(runs):
        t = time.perf_counter()
        result = func()
        times.append(time.perf_counter() - t)
    return statistics.median(times), result


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--people", type=int, default=60000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--rebuild", action="store_true")
    ap.add_argument("--database", default="bianmin_bench_health")
    args = ap.parse_args()
    ensure_database(args.database, args.rebuild)
    setup_django(args.database)
    build(args.people)

    from django.utils import timezone

    from bianmin.health.models import HealthRecord
    from bianmin.registry.models import Person

    year = timezone.localdate().year
    print(f"people {Person.unscoped.count():,}, records {HealthRecord.unscoped.count():,}, "
          f"year {year}, load {os.getloadavg()[0]:.2f}")  # fmt: skip
    for division, prefix, child in (("420100", "4201", 6), ("420102", "420102", 9)):
        lib_times, sql_times = [], []
        for _ in range(args.runs):  # alternate, so load on the machine hits both alike
            t, lib = timed(lambda d=division: library(d, year), 1)
            lib_times.append(t)
            t, sql = timed(lambda p=prefix, n=child: hand_sql(p, n, year), 1)
            sql_times.append(t)
        lib, sql = _pad(lib), _pad(sql)
        same = lib == sql
        o, s = statistics.median(lib_times), statistics.median(sql_times)
        print(f"\n{prefix}: {len(lib) - 1} units under it, identical figures: {same}")
        for code, (num, den) in lib[prefix].items():
            rate = f"{100 * num / den:.1f}%" if den else "—"
            print(f"  {code:<28} {num:>7,} / {den:>7,} = {rate}")
        print(f"  library median {o * 1000:8.1f} ms")
        print(f"  SQL     median {s * 1000:8.1f} ms")
        print(f"  ratio library / hand-written SQL: {o / s:.2f}")
        if not same:
            for u in sorted(set(lib) | set(sql)):
                if lib.get(u) != sql.get(u):
                    print("  differs", u, lib.get(u), sql.get(u))
                    break


if __name__ == "__main__":
    main()
