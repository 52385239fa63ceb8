"""Window intake throughput over HTTP on PostgreSQL: accepted cases per second.

    .venv/bin/python bench/cases_intake.py [--cases 3000] [--concurrency 16]
        [--worker-class sync|gthread] [--workers 6] [--threads 4 (gthread)]

1. Builds the database `bianmin_bench_cases` once: migrations, the division tree, 2,000 people
   (`bulk_create` with identities made by the registry's own `identity_fields`), one street
   centre with 16 clerks (one API token each, as 16 windows), and a service item with four
   materials (one fetched from shared data) and two departments reviewing in parallel.
2. Starts the application under gunicorn with production settings (DEBUG off, persistent
   database connections) in the documented deployment configuration (docs/architecture.md,
   "Application server"): 6 sync workers — on 2 cores, threads of one process queue for its
   GIL while one of them may hold the audit chain's row lock (gthread 4×4 measured 1.5–4×
   the lock waits and a p95 twice the p50; gthread 4×1 on 2026-12-06: 23 vs 31.5 cases/s and
   p95 1.2 s vs 0.7 s; see bench/RESULTS.md).
3. In the same run, with `--concurrency` clients at once, each on its own keep-alive
   connection: the trivial authenticated `GET /api/v1/divisions/420100/` (token check, two
   small queries, a serializer), then complete window applications `POST /api/v1/cases/` with
   an `Idempotency-Key` — every answer must be 201 `in_review` — then the trivial endpoint
   again. Prints requests/s, latency p50/p95/p99, the ratios intake/trivial, and CPU per
   request of gunicorn, of this database's PostgreSQL backends and of the client, beside the
   machine's load: on a shared 2-core machine the CPU figures are the stable ones.
4. Checks the database afterwards: every 201 answer's case number exists exactly once, no
   case exists that no answer reported, and each case has its materials, reviews, event,
   visit, message and idempotency record.

Target: ≥ 150 accepted cases/s with p95 < 150 ms, 16 concurrent clients, 2 cores.

`BENCH_WSGI=module:application` (with the module on PYTHONPATH) serves a variant instead of
`bianmin.wsgi:application` — for measuring a change before making it. On a machine shared with
others, `BENCH_DB=<name>` and `--port N` give the run a database and a port of its own.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import signal
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path

PG_SERVER = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
# BENCH_DB: a database of one's own when several people share the PostgreSQL server.
DB_NAME = os.environ.get("BENCH_DB", "bianmin_bench_cases")
ENV = {
    "BIANMIN_ENV": "production",
    "BIANMIN_SECRET_KEY": "bench-cases-secret-key-not-used-anywhere-else-0123456789abcdef",
    # A fixed, public key: the people built here must be found by the server started here.
    "BIANMIN_FIELD_KEY": "YmVuY2gtbG9va3VwLWZpZWxkLWtleS0zMi1ieXRlcyE=",
    "BIANMIN_ALLOWED_HOSTS": "127.0.0.1",
    "BIANMIN_LOG_LEVEL": "WARNING",
    "DATABASE_URL": f"{PG_SERVER}/{DB_NAME}",
    # Connections kept for the whole run (production: 60 s), so each PostgreSQL backend's CPU
    # time is counted from start to end instead of vanishing with a renewed connection.
    "BIANMIN_DB_CONN_MAX_AGE": "900",
}
BIN = Path(sys.executable).parent
ITEM = "BENCH-GLJT-001"
PEOPLE = 2000
CLERKS = 16
STREET = "420102002000"  # 江岸区大智街道
COMMUNITY = "420102002003"  # 保成社区
TRIVIAL = "/api/v1/divisions/420100/"
MATERIALS = ["hukou", "photo", "bank_card"]


# --- Set-up ---------------------------------------------------------------------------------


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
    # 民政 reads 公安's 居民身份证信息 under a grant, as in a real city (the demo's grants):
    # intake fetches it instead of asking for the card, and without a grant it would ask.
    from bianmin.sharing.demo import arrange_sharing

    arrange_sharing(city="4201")
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


# --- Server and CPU accounting --------------------------------------------------------------


def start_server(port: int, workers: int, threads: int, worker_class: str) -> subprocess.Popen:
    server = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            os.environ.get("BENCH_WSGI", "bianmin.wsgi:application"),
            f"--bind=127.0.0.1:{port}",
            f"--workers={workers}",
            f"--threads={threads}",
            f"--worker-class={worker_class}",
            "--keep-alive=30",
            "--backlog=256",
            "--log-level=warning",
        ],
        env={**os.environ, **ENV},
        start_new_session=True,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and server.poll() is None:
        try:  # a cheap page: the schema view would build the whole OpenAPI document
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            conn.request("GET", "/accounts/login/")
            conn.getresponse().read()
            return server
        except OSError:
            time.sleep(0.2)
    stop_server(server)
    raise SystemExit("gunicorn did not start")


def stop_server(server: subprocess.Popen) -> None:
    os.killpg(server.pid, signal.SIGTERM)
    server.wait(timeout=30)


def _proc_cpu(pid: int) -> float:
    """utime + stime of one process in seconds (Linux /proc; 0 when it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def server_pids(server: subprocess.Popen) -> list[int]:
    pids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            ppid = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        if ppid == server.pid:
            pids.append(int(stat.parent.name))
    return pids


def backend_pids() -> list[int]:
    """PostgreSQL backends connected to the benchmark database (persistent connections)."""
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        rows = conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s", [DB_NAME]
        ).fetchall()
    return [pid for (pid,) in rows]


def machine_busy() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine so far, from /proc/stat."""
    ticks = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = ticks[3] + ticks[4]
    hz = os.sysconf("SC_CLK_TCK")
    return (sum(ticks) - idle) / hz, sum(ticks) / hz


@dataclass
class Cpu:
    """CPU seconds used during a phase by gunicorn, PostgreSQL backends, this client and the
    whole machine (others' work included)."""

    server: float
    database: float
    client: float
    machine: float
    wall: float


class CpuMeter:
    def __init__(self, server: subprocess.Popen) -> None:
        self.server = server

    def __enter__(self) -> CpuMeter:
        self.workers = server_pids(self.server)
        self.backends = backend_pids()
        self.start = (
            sum(map(_proc_cpu, self.workers)),
            {pid: _proc_cpu(pid) for pid in self.backends},
            sum(os.times()[:2]),
            machine_busy()[0],
            time.perf_counter(),
        )
        return self

    def __exit__(self, *exc) -> None:
        workers, backends, client, machine, wall = self.start
        # Backends opened during the phase start from zero; one closed during it (connections
        # are renewed after CONN_MAX_AGE) took its CPU time along, so it is left out.
        now_backends = {pid: _proc_cpu(pid) for pid in backend_pids()}
        self.cpu = Cpu(
            server=sum(map(_proc_cpu, server_pids(self.server))) - workers,
            database=sum(cpu - backends.get(pid, 0.0) for pid, cpu in now_backends.items()),
            client=sum(os.times()[:2]) - client,
            machine=machine_busy()[0] - machine,
            wall=time.perf_counter() - wall,
        )


# --- Client ---------------------------------------------------------------------------------


class Client:
    """One keep-alive connection, as one window clerk's browser or app would hold."""

    def __init__(self, port: int, token: str) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.headers = {"Authorization": f"Token {token}", "Content-Type": "application/json"}

    def request(self, method: str, path: str, body: str | None, headers: dict) -> tuple:
        began = time.perf_counter()
        self.conn.request(method, path, body=body, headers=headers)
        response = self.conn.getresponse()
        data = response.read()
        return response.status, data, (time.perf_counter() - began) * 1000


def trivial(client: Client, _n: str) -> tuple[float, str]:
    status, data, ms = client.request("GET", TRIVIAL, None, client.headers)
    if status != 200:
        raise RuntimeError(f"trivial: {status} {data[:200]!r}")
    return ms, ""


def intake(client: Client, number: str) -> tuple[float, str]:
    body = json.dumps(
        {
            "item_code": ITEM,
            "applicant_id_number": number,
            "channel": "window",
            "materials": MATERIALS,
        }
    )
    headers = {**client.headers, "Idempotency-Key": uuid.uuid4().hex}
    status, data, ms = client.request("POST", "/api/v1/cases/", body, headers)
    answer = json.loads(data) if status == 201 else {}
    if answer.get("status") != "in_review":
        raise RuntimeError(f"intake: {status} {data[:300]!r}")
    return ms, answer["case_no"]


def run_phase(port, tokens, numbers, call, concurrency) -> tuple[list[float], list[str], float]:
    """`concurrency` clients at once, each with its own connection and share of `numbers`;
    returns latencies, the case numbers answered, and the phase's wall time."""
    samples: list[float] = []
    answered: list[str] = []
    errors: list[Exception] = []
    lock = threading.Lock()
    start = threading.Barrier(concurrency + 1)

    def worker(k: int) -> None:
        client = Client(port, tokens[k % len(tokens)])
        mine, numbers_mine = [], []
        start.wait()
        try:
            for number in numbers[k::concurrency]:
                ms, case_no = call(client, number)
                mine.append(ms)
                numbers_mine.append(case_no)
        except Exception as e:  # reported by the caller
            errors.append(e)
        with lock:
            samples.extend(mine)
            answered.extend(numbers_mine)

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(concurrency)]
    for t in threads:
        t.start()
    start.wait()
    began = time.perf_counter()
    for t in threads:
        t.join()
    wall = time.perf_counter() - began
    if errors:
        raise RuntimeError(f"{len(errors)} clients failed, first: {errors[0]}")
    return samples, answered, wall


def pct(samples: list[float]) -> tuple[float, float, float]:
    q = statistics.quantiles(samples, n=100, method="inclusive")
    return q[49], q[94], q[98]


# --- Checks ---------------------------------------------------------------------------------


def check_database(first_id: int, answered: list[str]) -> list[str]:
    """Problems found: every answered case exists once, nothing unanswered exists, and each
    case carries what an accepted window intake writes."""
    from django.db.models import Count

    from bianmin.cases.models import Case, IdempotencyRecord
    from bianmin.notifications.models import OutboxMessage

    problems = []
    duplicates = [n for n, c in Counter(answered).items() if c > 1]
    if duplicates:
        problems.append(f"{len(duplicates)} case numbers answered twice")
    made = Case.unscoped.filter(pk__gt=first_id)
    in_db = Counter(made.values_list("case_no", flat=True))
    lost = set(answered) - set(in_db)
    unanswered = set(in_db) - set(answered)
    if lost:
        problems.append(f"{len(lost)} answered cases missing from the database")
    if unanswered:
        problems.append(f"{len(unanswered)} cases in the database that no answer reported")
    if any(c > 1 for c in in_db.values()):
        problems.append("duplicate case numbers in the database")
    counted = made.annotate(
        n_materials=Count("materials", distinct=True),
        n_reviews=Count("reviews", distinct=True),
        n_events=Count("events", distinct=True),
        n_visits=Count("visits", distinct=True),
    ).values_list("n_materials", "n_reviews", "n_events", "n_visits", "status")
    shapes = Counter(counted)
    if set(shapes) != {(4, 2, 1, 1, "in_review")}:
        problems.append(f"unexpected case shapes: {dict(shapes)}")
    messages = OutboxMessage.objects.filter(related_type="case", related_id__in=list(in_db))
    if messages.count() != len(in_db):
        problems.append(f"{messages.count()} messages for {len(in_db)} cases")
    records = IdempotencyRecord.objects.filter(case__in=made).count()
    if records != len(in_db):
        problems.append(f"{records} idempotency records for {len(in_db)} cases")
    return problems


# --- Main -----------------------------------------------------------------------------------


def report(label: str, samples: list[float], wall: float, cpu: Cpu) -> tuple[float, float]:
    n = len(samples)
    p50, p95, p99 = pct(samples)
    rate = n / wall
    print(
        f"{label:8s} {n:5d} in {wall:5.1f} s = {rate:6.1f}/s   "
        f"p50 {p50:6.1f}  p95 {p95:6.1f}  p99 {p99:6.1f} ms   CPU ms/request: "
        f"gunicorn {1000 * cpu.server / n:5.2f}  postgres {1000 * cpu.database / n:5.2f}  "
        f"client {1000 * cpu.client / n:4.2f}   machine busy {cpu.machine / cpu.wall:4.2f} cores"
    )
    return rate, p95


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=3000)
    parser.add_argument("--trivial", type=int, default=3000, help="trivial requests per phase")
    parser.add_argument("--concurrency", type=int, default=CLERKS)
    parser.add_argument("--worker-class", default="sync", choices=["sync", "gthread"])
    parser.add_argument("--workers", type=int, default=6)
    parser.add_argument("--threads", type=int, default=4, help="gthread only")
    parser.add_argument("--port", type=int, default=0, help="default: any free port")
    args = parser.parse_args()
    if args.worker_class == "sync":
        args.threads = 1  # gunicorn would otherwise switch a threaded sync worker to gthread

    load_start = os.getloadavg()[0]
    ensure_database()
    tokens, numbers = setup()
    from bianmin.cases.models import Case

    port = args.port or free_port()
    server = start_server(port, args.workers, args.threads, args.worker_class)
    try:
        # Warm-up: every worker loads its code, connection, translations and item cache.
        run_phase(port, tokens, numbers[:64], intake, args.concurrency)
        run_phase(port, tokens, numbers[:200], trivial, args.concurrency)
        first_id = Case.unscoped.order_by("-pk").values_list("pk", flat=True).first() or 0
        people = [numbers[i % len(numbers)] for i in range(args.cases)]
        with CpuMeter(server) as t1:
            base1, _, w1 = run_phase(
                port, tokens, people[: args.trivial], trivial, args.concurrency
            )
        with CpuMeter(server) as m:
            samples, answered, wall = run_phase(port, tokens, people, intake, args.concurrency)
        with CpuMeter(server) as t2:
            base2, _, w2 = run_phase(
                port, tokens, people[: args.trivial], trivial, args.concurrency
            )
    finally:
        stop_server(server)
    print(
        f"gunicorn {args.worker_class} {args.workers} workers × {args.threads} threads, "
        f"{args.concurrency} clients; load average at start {load_start:.2f}"
    )
    tr1, tp1 = report("trivial", base1, w1, t1.cpu)
    rate, p95 = report("intake", samples, wall, m.cpu)
    tr2, tp2 = report("trivial", base2, w2, t2.cpu)
    trivial_rate, trivial_p95 = (tr1 + tr2) / 2, (tp1 + tp2) / 2
    print(
        f"ratio intake/trivial: throughput {rate / trivial_rate:.2f}, "
        f"p95 {p95 / trivial_p95:.2f}; load average at end {os.getloadavg()[0]:.2f}"
    )
    problems = check_database(first_id, answered)
    if problems:
        print("DATABASE CHECK FAILED:", "; ".join(problems))
        return 1
    print(f"database: {len(answered)} answered cases, each once, nothing lost or extra — OK")
    ok = rate >= 150 and p95 < 150
    print(("PASS" if ok else "FAIL") + " (target ≥ 150 cases/s, p95 < 150 ms)")
    return 0 if ok else 1


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


if __name__ == "__main__":
    sys.exit(main())
