"""Bulk import of 1,000,000 people into PostgreSQL: throughput and peak memory.

    .venv/bin/python bench/run.py import [--people 1000000] [--mode all|valid] [--batch N]

1. Recreates the database `bianmin_bench_import` (migrations, the division tree, two grids
   per Wuhan community, a city-level administrator to import as).
2. Writes a register CSV of valid people once (var/bench/, reused): real Wuhan community,
   grid and district codes, valid GB 11643 numbers from `make_citizen_id`, households of one
   to four with a head each, 8% with a key-population tag, 30% placed by grid.
3. Baseline: the same rows' stored values (encrypted, hashed, masked — computed beforehand,
   not timed) COPYed straight into the household, person and tag tables in one transaction,
   no checks at all. This is the ceiling the database sets on this machine.
4. Import: empties the tables and runs `run_import` on the CSV in a child process (which
   forks its own worker processes to check rows, see registry/importing/workers.py); its
   memory is that process tree's, Django included (see `TreeMemory`).

Prints people/s of both, the ratio import/baseline, and the import's peak memory.
Targets (issue): ≥ 20,000 people/s, peak memory < 500 MB.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# BENCH_IMPORT_DB: one's own database, beside other benchmarks on the same server.
DB_NAME = os.environ.get("BENCH_IMPORT_DB", "bianmin_bench_import")
PG_SERVER = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
WORK = ROOT / "var" / "bench"
USERNAME = "bench_importer"
HEADERS = [
    "姓名",
    "身份证号码",
    "手机号码",
    "民族",
    "人口类型",
    "户籍地区划代码",
    "户籍地址",
    "现居住村（社区）区划代码",
    "网格编码",
    "现居住地址",
    "户号",
    "与户主关系",
    "重点人群标签",
]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘欧阳司马"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚华建国红梅文斌俊鹏辉玉婷浩宇子涵"
TAGS = ["残疾人", "低保对象", "退役军人", "dibao", "空巢（留守）老人", "登记失业人员"]
FILE_VERSION = 1  # bump when the generator changes, so a stale CSV is not reused


def django_env() -> dict[str, str]:
    return {
        **os.environ,
        "BIANMIN_ENV": "test",
        "DATABASE_URL": f"{PG_SERVER}/{DB_NAME}",
        "BIANMIN_LOG_LEVEL": "WARNING",
        "BIANMIN_MEDIA_ROOT": str(WORK / "media"),
        "BIANMIN_IMPORT_INLINE_THREAD": "0",
    }


def setup_django() -> None:
    os.environ.update(django_env())
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bianmin.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


# --- the register file ----------------------------------------------------------------------


def communities() -> list[tuple[str, str]]:
    """(community code, its county code) of every Wuhan village/community in the shipped data."""
    from bianmin.registry.divisions_data import SHIPPED_DIR

    with (SHIPPED_DIR / "villages.csv").open(encoding="utf-8") as f:
        return [(r["code"], r["areaCode"]) for r in csv.DictReader(f)]


def generate(path: Path, people: int) -> dict[str, int]:
    """Write the CSV; return what a correct import must create."""
    from bianmin.core.identifiers import make_citizen_id

    places = communities()
    start = dt.date(1940, 1, 1)
    counts = {"people": 0, "households": 0, "tags": 0}
    tmp = path.with_suffix(".tmp")
    with tmp.open("w", encoding="utf-8-sig", newline="") as f:
        out = csv.writer(f)
        out.writerow(HEADERS)
        i = h = 0
        while i < people:
            size = min((3, 2, 4, 1, 3, 2)[h % 6], people - i)
            community, county = places[(h * 7919) % len(places)]
            grid = f"{community}{h % 2 + 1:02d}" if h % 10 < 3 else ""
            number = f"H{h:010d}"
            address = f"武汉市{h % 97 + 1}路{h % 389 + 1}号"
            counts["households"] += 1
            for k in range(size):
                # (district, birth date, sequence) is unique for every i below 13 × 30000 × 1000.
                region = (
                    "420102",
                    "420103",
                    "420104",
                    "420105",
                    "420106",
                    "420107",
                    "420111",
                    "420112",
                    "420113",
                    "420114",
                    "420115",
                    "420116",
                    "420117",
                )[i % 13]
                birth = start + dt.timedelta(days=(i // 13) % 30000)
                id_number = make_citizen_id(region, birth, (i // 390000) * 2 + (i % 2))
                name = (
                    SURNAMES[i % len(SURNAMES)]
                    + GIVEN[(i * 7) % len(GIVEN)]
                    + (GIVEN[(i * 13) % len(GIVEN)] if i % 3 else "")
                )
                kind = ("户籍", "户籍", "常住", "户籍", "流动")[i % 5]
                tag = TAGS[i % len(TAGS)] if i % 12 == 0 else ""
                counts["tags"] += bool(tag)
                out.writerow(
                    [
                        name,
                        id_number,
                        f"1{3 + i % 7}{i % 100000000:09d}",
                        "汉族",
                        kind,
                        community if kind == "户籍" else county,
                        address if kind == "户籍" else "",
                        "" if grid else community,
                        grid,
                        address,
                        number,
                        ("户主", "配偶", "子", "父母")[k],
                        tag,
                    ]
                )
                i += 1
            h += 1
        counts["people"] = i
    tmp.replace(path)
    return counts


# --- the database ---------------------------------------------------------------------------


class ServerCpu:
    """CPU seconds spent by this database's PostgreSQL backends while it runs (read from
    /proc: the benchmark and the server share the machine). On a machine shared with other
    work the wall-clock rate swings with their load; the server's CPU per row does much less,
    so it is printed next to it. Backends are sampled every 0.2 s; a backend that starts and
    ends between two samples is missed (the import's own connections live for the whole run)."""

    def __init__(self) -> None:
        import threading

        self._seen: dict[int, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def __enter__(self) -> ServerCpu:
        self._sample()
        self._start = dict(self._seen)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    @property
    def seconds(self) -> float:
        return sum(t - self._start.get(pid, 0.0) for pid, t in self._seen.items())

    def _watch(self) -> None:
        while not self._stop.wait(0.2):
            self._sample()
        self._sample()

    def _sample(self) -> None:
        import psycopg

        with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
            pids = [
                pid
                for (pid,) in conn.execute(
                    "SELECT pid FROM pg_stat_activity WHERE datname = %s", [DB_NAME]
                )
            ]
        tick = os.sysconf("SC_CLK_TCK")
        for pid in pids:
            try:
                with open(f"/proc/{pid}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
            except OSError:  # ended, or the server is on another machine
                continue
            self._seen[pid] = (int(fields[11]) + int(fields[12])) / tick


class TreeMemory:
    """Memory of a process and its descendants (the import and its worker processes), sampled
    every 0.25 s from /proc while it runs.

    - peak PSS: the largest sum over the tree of each process's proportional set size — a
      page shared by k processes counts 1/k in each, so the sum is the physical memory the
      import uses; the workers are forked and share the interpreter, Django and the app with
      the main process. Sampled, so a peak shorter than 0.25 s can be missed.
    - sum of VmHWM: each process's own peak resident set, added up — an upper bound that
      counts every shared page once per process (and adds peaks reached at different times).
    """

    def __init__(self, pid: int) -> None:
        import threading

        self.pid = pid
        self.peak_pss_kb = 0
        self.hwm_kb: dict[int, int] = {}
        self.workers = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def __enter__(self) -> TreeMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _tree(self) -> list[int]:
        pids, todo = [], [self.pid]
        while todo:
            pid = todo.pop()
            pids.append(pid)
            try:
                for task in os.listdir(f"/proc/{pid}/task"):
                    with open(f"/proc/{pid}/task/{task}/children") as f:
                        todo.extend(int(c) for c in f.read().split())
            except OSError:
                continue
        return pids

    def _watch(self) -> None:
        while not self._stop.wait(0.25):
            pss = 0
            pids = self._tree()
            self.workers = max(self.workers, len(pids) - 1)
            for pid in pids:
                try:
                    with open(f"/proc/{pid}/smaps_rollup") as f:
                        pss += next(int(x.split()[1]) for x in f if x.startswith("Pss:"))
                    with open(f"/proc/{pid}/status") as f:
                        hwm = next(int(x.split()[1]) for x in f if x.startswith("VmHWM:"))
                    self.hwm_kb[pid] = max(self.hwm_kb.get(pid, 0), hwm)
                except (OSError, StopIteration):
                    continue
            self.peak_pss_kb = max(self.peak_pss_kb, pss)


def load_average() -> str:
    return "/".join(f"{x:.1f}" for x in os.getloadavg())


def server_settings() -> str:
    from django.db import connection

    names = [
        "shared_buffers",
        "maintenance_work_mem",
        "max_wal_size",
        "wal_compression",
        "synchronous_commit",
        "checkpoint_timeout",
    ]
    with connection.cursor() as c:
        values = []
        for name in names:
            c.execute(f"SHOW {name}")
            values.append(f"{name}={c.fetchone()[0]}")
    return ", ".join(values)


def recreate_database() -> None:
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}"')
        conn.execute(f'CREATE DATABASE "{DB_NAME}"')
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from django.contrib.auth import get_user_model

    from bianmin.registry.models import Division, Grid, OrgUnit, Staff
    from bianmin.registry.services.divisions import load_divisions

    load_divisions(city_prefix="4201")
    Grid.unscoped.bulk_create(
        [
            Grid(code=f"{code}{n:02d}", name=f"第{n}网格", community_id=code)
            for code, _county in communities()
            for n in (1, 2)
        ],
        batch_size=5000,
    )
    city = Division.objects.get(code="420100")
    unit = OrgUnit.objects.create(
        code="BENCH-CITY", name="武汉市政务服务中心", kind="centre", division=city
    )
    user = get_user_model().objects.create_user(username=USERNAME, password="bench-only-0000")
    Staff.objects.create(user=user, org_unit=unit, role="admin", display_name="导入基准")


def empty_tables() -> None:
    from django.db import connection

    with connection.cursor() as c:
        c.execute(
            "TRUNCATE registry_persontag, registry_person, registry_household "
            "RESTART IDENTITY CASCADE"
        )
        c.execute("VACUUM ANALYZE registry_person")


def baseline(path: Path) -> tuple[float, int]:
    """COPY the rows' pre-computed stored values; return (seconds, people)."""
    from django.db import connection
    from django.utils import timezone

    from bianmin.core import crypto
    from bianmin.core.identifiers import parse_citizen_id
    from bianmin.core.masking import mask_id_number
    from bianmin.registry.importing.columns import relationships, residence_types
    from bianmin.registry.models import ImportJob, Tag
    from bianmin.registry.naming import initials

    now = timezone.now().isoformat()
    # The people reference an import job, as imported people do (one more foreign key).
    job = str(ImportJob.objects.create(file_name=path.name, file_sha256="0" * 64).pk)
    tag_codes = {t.name: t.code for t in Tag.objects.all()} | {
        t.code: t.code for t in Tag.objects.all()
    }
    households: dict[str, int] = {}
    buffers = {"household": [], "person": [], "tag": []}
    with path.open(encoding="utf-8-sig", newline="") as f:
        reader = csv.reader(f)
        next(reader)
        for pk, r in enumerate(reader, start=1):
            (
                name,
                number,
                phone,
                ethnicity,
                kind,
                registered,
                registered_address,
                community,
                grid,
                address,
                household,
                relationship,
                tag,
            ) = r
            cid = parse_citizen_id(number)
            village = grid[:12] if grid else community
            area = grid or community
            if household not in households:
                households[household] = len(households) + 1
                buffers["household"].append(
                    "\t".join(
                        [
                            str(households[household]),
                            household,
                            "family",
                            village,
                            grid or "\\N",
                            address,
                            area,
                            now,
                            now,
                        ]
                    )
                )
            buffers["person"].append(
                "\t".join(
                    [
                        str(pk),
                        crypto.encrypt(cid.number),
                        crypto.lookup_hash(cid.number),
                        mask_id_number(cid.number),
                        cid.number[-4:],
                        name,
                        initials(name),
                        cid.sex,
                        cid.birth_date.isoformat(),
                        ethnicity,
                        phone,
                        relationships()[relationship],
                        registered_address,
                        address,
                        residence_types()[kind],
                        "alive",
                        "",
                        area,
                        now,
                        now,
                        grid or "\\N",
                        str(households[household]),
                        registered,
                        village,
                        job,
                    ]
                )
            )
            if tag:
                buffers["tag"].append(f"{pk}\t{tag_codes[tag]}\tbench\t\\N")
    tables = {
        "household": (
            "registry_household",
            "id, number, household_type, division_id, grid_id, "
            "address, area_code, created_at, updated_at",
        ),
        "person": (
            "registry_person",
            "id, id_cipher, id_hash, id_masked, id_last4, name, "
            "name_initials, sex, birth_date, ethnicity, phone, relationship, "
            "registered_address, residence_address, residence_type, life_status, "
            "status_source, area_code, created_at, updated_at, grid_id, household_id, "
            "registered_division_id, residence_division_id, source_import_id",
        ),
        "tag": ("registry_persontag", "person_id, tag_id, source, added_by_id"),
    }
    data = {k: ("\n".join(v) + "\n").encode() for k, v in buffers.items()}
    del buffers
    started = time.perf_counter()
    from django.db import transaction

    with transaction.atomic(), connection.cursor() as c:
        for key in ("household", "person", "tag"):
            table, columns = tables[key]
            with c.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                blob = data[key]
                for i in range(0, len(blob), 1 << 20):
                    copy.write(blob[i : i + (1 << 20)])
    return time.perf_counter() - started, len(data["person"].splitlines())


# --- the import, in a child process ---------------------------------------------------------


def child(path: Path, mode: str) -> None:
    if os.environ.get("BENCH_SWITCH"):
        sys.setswitchinterval(float(os.environ["BENCH_SWITCH"]))
    setup_django()
    from django.conf import settings
    from django.contrib.auth import get_user_model

    from bianmin.core.scope import acting_in
    from bianmin.registry.access import actor_for, scope_for
    from bianmin.registry.importing import firstload
    from bianmin.registry.services.imports import create_import_job, run_import

    if os.environ.get("BENCH_IMPORT_BATCH"):
        settings.BIANMIN["IMPORT_BATCH_SIZE"] = int(os.environ["BENCH_IMPORT_BATCH"])
    if os.environ.get("BENCH_IMPORT_WORKERS"):
        settings.BIANMIN["IMPORT_WORKERS"] = int(os.environ["BENCH_IMPORT_WORKERS"])
    if os.environ.get("BENCH_ORDINARY") == "1":
        settings.BIANMIN["IMPORT_FIRST_LOAD_MIN_ROWS"] = None
    first_load: list[bool] = []
    take = firstload.take_empty_tables

    def spy() -> firstload.Deferred | None:
        deferred = take()
        first_load.append(deferred is not None)
        return deferred

    firstload.take_empty_tables = spy  # to print which way the import went
    rebuild = firstload.rebuild
    rebuild_seconds: list[float] = []

    def timed_rebuild(deferred: firstload.Deferred) -> None:
        t = time.perf_counter()
        rebuild(deferred)
        rebuild_seconds.append(time.perf_counter() - t)

    firstload.rebuild = timed_rebuild  # to print how long the indexes and keys took
    user = get_user_model().objects.get(username=USERNAME)
    started = time.perf_counter()
    with acting_in(scope_for(user)), path.open("rb") as handle:
        job = create_import_job(actor=actor_for(user), file=handle, file_name=path.name, mode=mode)
    created = time.perf_counter()
    job = run_import(job.pk)
    done = time.perf_counter()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    workers = resource.getrusage(resource.RUSAGE_CHILDREN)  # the pool's, joined by now
    print(
        json.dumps(
            {
                "upload_seconds": created - started,
                "import_seconds": done - created,
                "status": job.status,
                "message": job.message,
                "rows": job.processed_rows,
                "created": job.created_count,
                "errors": job.error_count,
                "peak_rss_mb": _peak_rss_mb(),
                "cpu_seconds": usage.ru_utime + usage.ru_stime,
                "workers_cpu_seconds": workers.ru_utime + workers.ru_stime,
                "first_load": any(first_load),
                "rebuild_seconds": sum(rebuild_seconds),
            },
            ensure_ascii=False,
        )
    )


def _peak_rss_mb() -> float:
    """This process's peak resident set (VmHWM). Unlike the parent's getrusage(RUSAGE_CHILDREN)
    it starts at exec: the parent's pages the child shared right after fork are not in it."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--mode", choices=["all", "valid"], default="all")
    parser.add_argument("--batch", type=int, help="BIANMIN['IMPORT_BATCH_SIZE'] for the run")
    parser.add_argument(
        "--ordinary",
        action="store_true",
        help="no first load (indexes kept in place, as for an import into a populated register)",
    )
    parser.add_argument(
        "--workers", type=int, help="BIANMIN['IMPORT_WORKERS'] for the run (0: none)"
    )
    parser.add_argument(
        "--no-baseline",
        action="store_true",
        help="skip the COPY baseline (for quick iterations; no ratio)",
    )
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child, args.mode)
        return 0

    setup_django()
    WORK.mkdir(parents=True, exist_ok=True)
    path = WORK / f"people-{args.people}-v{FILE_VERSION}.csv"
    meta = path.with_suffix(".json")
    t = time.perf_counter()
    if not (path.exists() and meta.exists()):
        meta.write_text(json.dumps(generate(path, args.people)))
        print(
            f"generated {path.name} ({path.stat().st_size / 1e6:.0f} MB) "
            f"in {time.perf_counter() - t:.0f} s"
        )
    expected = json.loads(meta.read_text())
    recreate_database()

    print(f"server settings (the same for both): {server_settings()}")
    base_rate = float("nan")
    if not args.no_baseline:
        empty_tables()
        load = load_average()
        with ServerCpu() as cpu:
            seconds, rows = baseline(path)
        base_rate = rows / seconds
        print(
            f"baseline COPY   : {rows:,} people in {seconds:6.1f} s = {base_rate:9,.0f} people/s "
            f"(server CPU {cpu.seconds:.1f} s; load {load} → {load_average()})"
        )

    empty_tables()
    env = django_env()
    if args.batch:
        env["BENCH_IMPORT_BATCH"] = str(args.batch)
    if args.ordinary:
        env["BENCH_ORDINARY"] = "1"
    if args.workers is not None:
        env["BENCH_IMPORT_WORKERS"] = str(args.workers)
    load = load_average()
    with ServerCpu() as cpu:
        proc = subprocess.Popen(
            [sys.executable, __file__, "--child", str(path), "--mode", args.mode],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        with TreeMemory(proc.pid) as memory:
            stdout, stderr = proc.communicate()
    if proc.returncode:
        print(stdout, stderr, sep="\n")
        return 1
    result = json.loads(stdout.strip().splitlines()[-1])
    peak_mb = memory.peak_pss_kb / 1024
    hwm_sum_mb = sum(memory.hwm_kb.values()) / 1024
    rate = result["rows"] / result["import_seconds"]
    print(
        f"import ({args.mode:5})  : {result['rows']:,} people in "
        f"{result['import_seconds']:6.1f} s = {rate:9,.0f} people/s "
        f"(upload + header check before it: {result['upload_seconds']:.1f} s; "
        f"server CPU {cpu.seconds:.1f} s; load {load} → {load_average()})"
    )
    print(
        "path: "
        + (
            "first load (indexes and keys built after the rows, see importing/firstload.py: "
            f"{result['rebuild_seconds']:.1f} s of the import's time)"
            if result["first_load"]
            else "ordinary (indexes maintained row by row)"
        )
    )
    print(f"ratio import/baseline: {rate / base_rate:.2f}")
    print(
        f"peak memory of the import: {peak_mb:,.0f} MB (sum of PSS over its {memory.workers} "
        f"worker(s) and itself, sampled; Django included); sum of each one's VmHWM "
        f"{hwm_sum_mb:,.0f} MB (counts shared pages in each); main process VmHWM "
        f"{result['peak_rss_mb']:,.0f} MB"
    )
    print(
        f"CPU time: main process {result['cpu_seconds']:.1f} s, "
        f"worker processes {result['workers_cpu_seconds']:.1f} s"
    )
    print(f"result: {result['status']} — {result['message']}")
    return _verify(result, expected, rate, peak_mb)


def _verify(result: dict, expected: dict, rate: float, peak_mb: float) -> int:
    from bianmin.registry.models import Household, Person, PersonTag

    counts = {
        "people": Person.unscoped.count(),
        "households": Household.unscoped.count(),
        "tags": PersonTag.objects.count(),
    }
    ok = counts == expected and result["status"] == "done"
    print(f"database holds {counts} (expected {expected}): {'OK' if ok else 'MISMATCH'}")
    print(
        f"targets: ≥ 20,000 people/s {'met' if rate >= 20_000 else 'NOT met'}, "
        f"< 500 MB {'met' if peak_mb < 500 else 'NOT met'}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
