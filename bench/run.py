"""The benchmark: seed, serve with the production server (4 workers), drive with wrk, print figures.

Usage: ``python3 dev.py bench [scale]`` (or ``.venv/bin/python bench/run.py [scale]``), with
``DATABASE_URL`` naming the database to benchmark (PostgreSQL; SQLite works, without PostgreSQL
figures). Steps: ``migrate``; ``manage.py bench_seed --companies N --people M`` (creates the Bench
workspace once, removes what earlier runs wrote, prints a key); start the server; read a sample
of record ids over the API; then, per round and per scenario, a short warm-up and a measured wrk
run at fixed concurrency. Printed and written to ``var/bench/`` (``latest.json``, ``latest.md``).

For each scenario: requests per second, p50/p99 latency, errors (socket errors and answers >= 400),
and CPU milliseconds per request of the server processes (nginx, granian's master and workers),
of PostgreSQL (see ``PostgresProcesses``: this database's backends and their parallel workers,
the cluster's background processes) and of wrk itself, read from ``/proc/<pid>/stat`` at the
start, every 0.2 s and at the end of the run (so processes that come and go count too), divided
by the requests wrk completed.

Environment (defaults in brackets):

- ``BENCH_MODE`` [default]: ``default`` runs the eight scenarios a-h; ``scale`` (also
  ``dev.py bench scale``) seeds 1M people beside 1,000 small workspaces and runs ``SCALE_SCENARIOS``.
- ``BENCH_SECONDS`` [10]: duration of each measured run; ``BENCH_WARMUP`` [2]: unmeasured run before it.
- ``BENCH_CONNECTIONS`` [16] and ``BENCH_THREADS`` [2]: wrk's ``-c`` and ``-t``.
- ``BENCH_ROUNDS`` [1]: rounds over all scenarios, interleaved (a b c ... a b c ...); figures add up.
- ``BENCH_SCENARIOS`` [all]: comma-separated scenario names, e.g. ``a,c,h``.
- ``BENCH_SERVER`` [production]: a name of ``bench/servers.py`` (the candidates the server was chosen from).
- ``BENCH_WORKERS`` [production's: one per core]: server worker processes; ``BENCH_PORT`` [8765].
- ``BENCH_COMPANIES`` [10000] and ``BENCH_PEOPLE`` [50000]: passed to ``bench_seed``.
- ``REDIS_URL`` [unset]: passed to the server as in production (rate-limit buckets in Redis); a
  Redis on this machine then counts in the ``server`` CPU column.
- ``BENCH_SLOW_CLIENTS`` [0]: when above 0, also open that many slow-body connections (one byte
  a second) and time a normal GET beside them (``bench/slow_clients.py``).

wrk comes from Debian's ``wrk`` package; run as root, the benchmark installs it when missing.
"""

from __future__ import annotations

import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from servers import server_commands  # noqa: E402  (also puts the project root on sys.path)
from slow_clients import slow_client_probe  # noqa: E402

from dev import stop_groups, web_workers  # noqa: E402

PORT = int(os.environ.get("BENCH_PORT", "8765"))
OUT = ROOT / "var" / "bench"
TICKS = os.sysconf("SC_CLK_TCK")
ID_SAMPLE = 2000  # ids of each object read for {company} / {person}; random picks among them


# --- scenarios ------------------------------------------------------------------------------------

PERSON = (
    '{"name":{"firstName":"Bench","lastName":"Person"},"emails":{"primaryEmail":"bench-{u}@example.com"},'
    '"city":"Paris","jobTitle":"Engineer","companyId":"{company}"}'
)
PEOPLE_QUERY = (
    "{ people(first: 60) { edges { node { id name { firstName lastName } emails { primaryEmail } "
    "city jobTitle createdAt company { id name domainName { primaryLinkUrl } employees } } } } }"
)


@dataclass(frozen=True)
class Scenario:
    """One kind of request. ``path`` and ``body()`` are templates: ``{company}``, ``{person}``, ``{u}``
    are replaced by wrk in every request (bench/wrk.lua)."""

    name: str
    title: str
    method: str
    path: str
    body: Callable[[], str] | None = None
    #: Whose key sends it: ``bench`` (the large Bench workspace) or ``small`` (one of the many small ones).
    workspace: str = "bench"


SCENARIOS = [
    Scenario("a", "GET /rest/companies?limit=60&order_by=name", "GET", "/rest/companies?limit=60&order_by=name"),
    Scenario(
        "b",
        "GET /rest/companies?filter=employees[gt]:500&limit=60",
        "GET",
        "/rest/companies?filter=employees[gt]:500&limit=60",
    ),
    Scenario("c", "GET /rest/companies/{id}", "GET", "/rest/companies/{company}"),
    Scenario("d", "POST /rest/people", "POST", "/rest/people", lambda: PERSON),
    Scenario(
        "e",
        "POST /rest/batch/people (60 records)",
        "POST",
        "/rest/batch/people",
        lambda: f"[{','.join([PERSON] * 60)}]",
    ),
    Scenario(
        "f",
        "PATCH /rest/people/{id} (jobTitle, city)",
        "PATCH",
        "/rest/people/{person}",
        lambda: '{"jobTitle":"Engineer {u}","city":"City {u}"}',
    ),
    Scenario(
        "g",
        "GET /rest/people?depth=1&limit=60&fields=...,company",
        "GET",
        "/rest/people?depth=1&limit=60&fields=id,name,emails,city,jobTitle,createdAt,company",
    ),
    Scenario(
        "h",
        "POST /graphql people(first:60) { company }",
        "POST",
        "/graphql",
        lambda: json.dumps({"query": PEOPLE_QUERY}),
    ),
]

# The scale mode (README, "Benchmarks"): one object of 1M records (people over 20,000 companies; ``name`` and
# ``city`` indexed), beside 1,000 small workspaces. ``{next}`` is the endCursor of the first page
# sorted by last name, read once before the runs.
SCALE_SCENARIOS: list[Scenario] = [
    Scenario("s1", "sort by an indexed field (name.lastName)", "GET", "/rest/people?order_by=name.lastName&limit=60"),
    Scenario("s2", "the next keyset page", "GET", "/rest/people?order_by=name.lastName&limit=60&starting_after={next}"),
    Scenario("s3", "equality on an indexed field (city)", "GET", "/rest/people?filter=city[eq]:City%2042&limit=60"),
    Scenario("s4", "range on an indexed field", "GET", "/rest/people?filter=name.lastName[gte]:Last500&limit=60"),
    Scenario(
        "s5", "prefix on an indexed field", "GET", "/rest/people?filter=name.lastName[startsWith]:Last12&limit=60"
    ),
    Scenario("s6", "many-to-one at depth 1 (60 people)", "GET", "/rest/people?depth=1&limit=60&fields=id,name,company"),
    Scenario("s7", "one-to-many at depth 1 (a company)", "GET", "/rest/companies/{company}?depth=1"),
    Scenario("s8", "totalCount of 1M (limit=1)", "GET", "/rest/people?limit=1"),
    Scenario("s9", "filtered totalCount (city, limit=1)", "GET", "/rest/people?filter=city[eq]:City%2007&limit=1"),
    # Issue 10, item 3 (api-reference §13): search through the token index, ranked over every object.
    Scenario("s10", "search one word (a first name)", "GET", "/rest/search?search_input=First123456&limit=20"),
    Scenario(
        "s11",
        "search two words (~1,000 share the last name)",
        "GET",
        "/rest/search?search_input=First4242%20Last254&limit=20",
    ),
    Scenario(
        "s12",
        "GraphQL search, one word",
        "POST",
        "/graphql",
        lambda: json.dumps(
            {
                "query": '{ search(searchInput: "First654321", limit: 20) { edges { node { recordId label tsRankCD } } } }'
            }
        ),
    ),
    # Through relations (api-reference §11): a to-one filter (50 people of one company), a to-many
    # filter (the ~1,000 people of a last name lead to their companies), an order by the company's name.
    Scenario(
        "r1",
        "to-one filter company.name[eq]",
        "GET",
        "/rest/people?filter=company.name[eq]:Company%20000042&limit=60",
    ),
    Scenario(
        "r2",
        "to-many filter people._some.name.lastName[eq]",
        "GET",
        "/rest/companies?filter=people._some.name.lastName[eq]:Last42&limit=60",
    ),
    Scenario("r3", "order by company.name", "GET", "/rest/people?order_by=company.name[AscNullsLast]&limit=60"),
    # Shapes whose answer is "records without a live related record" or "every related record":
    # every person has a company and no company has all its people in one city, so each answer is
    # empty or starts with the related order, and must not cost a walk of every person.
    Scenario(
        "r4",
        "to-many filter people._every.city[eq] (no company matches)",
        "GET",
        "/rest/companies?filter=people._every.city[eq]:City%2042&limit=60",
    ),
    Scenario(
        "r5", "to-one filter company.name[is]:NULL (none)", "GET", "/rest/people?filter=company.name[is]:NULL&limit=60"
    ),
    Scenario(
        "r6", "order by company.name, nulls first", "GET", "/rest/people?order_by=company.name[AscNullsFirst]&limit=60"
    ),
    # Item 3: the same reads and writes in the large workspace and in one of the 1,000 small ones.
    SCENARIOS[0],
    SCENARIOS[2],
    SCENARIOS[3],
    Scenario("ta", "(small workspace) " + SCENARIOS[0].title, "GET", SCENARIOS[0].path, workspace="small"),
    Scenario("tc", "(small workspace) " + SCENARIOS[2].title, "GET", SCENARIOS[2].path, workspace="small"),
    Scenario("td", "(small workspace) " + SCENARIOS[3].title, "POST", "/rest/people", SCENARIOS[3].body, "small"),
]


@dataclass(frozen=True)
class Mode:
    """What a mode seeds and which scenarios it runs."""

    companies: int
    people: int
    scenarios: list[Scenario]
    workspaces: int = 0


MODES = {
    "default": Mode(10_000, 50_000, SCENARIOS),
    "scale": Mode(20_000, 1_000_000, SCALE_SCENARIOS, workspaces=1000),
}
#: The small workspace whose key the ``small`` scenarios send (one among the many).
SMALL_WORKSPACE = "Bench 0500"


# --- CPU accounting -------------------------------------------------------------------------------


def read_stat(pid: int) -> tuple[int, float] | None:
    """(parent pid, CPU seconds: user + system) of ``pid``, or None once it is gone."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = raw[raw.rindex(")") + 2 :].split()
    # fields[0] is field 3 of proc(5): ppid is field 4, utime and stime fields 14 and 15.
    return int(fields[1]), (int(fields[11]) + int(fields[12])) / TICKS


def reaped_cpu(pid: int) -> float:
    """CPU seconds of the exited children that ``pid`` waited for (cutime + cstime)."""
    raw = Path(f"/proc/{pid}/stat").read_text()
    fields = raw[raw.rindex(")") + 2 :].split()
    return (int(fields[13]) + int(fields[14])) / TICKS


def process_table() -> dict[int, tuple[int, float]]:
    """``read_stat`` of every process."""
    table = {}
    for name in os.listdir("/proc"):
        if name.isdigit() and (stat := read_stat(int(name))) is not None:
            table[int(name)] = stat
    return table


def local_redis_pids(redis_url: str) -> list[int]:
    """The ``redis-server`` processes of this machine when ``redis_url`` names one on it (else none).

    With ``REDIS_URL`` the rate-limit buckets live in Redis (production's setup), so Redis's CPU
    is part of serving a request: it is counted in the ``server`` column.
    """
    host = urllib.parse.urlsplit(redis_url).hostname if redis_url else None
    if host not in ("127.0.0.1", "localhost", "::1"):
        return []
    found = []
    for name in os.listdir("/proc"):
        try:
            if name.isdigit() and Path(f"/proc/{name}/comm").read_text().strip() == "redis-server":
                found.append(int(name))
        except OSError:
            continue
    return found


def tree(roots: list[int]) -> Callable[[dict[int, tuple[int, float]]], set[int]]:
    """A selector of ``roots`` and all their descendants."""

    def select(table: dict[int, tuple[int, float]]) -> set[int]:
        members, frontier = set(), [pid for pid in roots if pid in table]
        while frontier:
            pid = frontier.pop()
            members.add(pid)
            frontier += [child for child, (parent, _) in table.items() if parent == pid and child not in members]
        return members

    return select


BACKGROUND = re.compile(r"(checkpointer|background writer|walwriter|autovacuum launcher|logical replication launcher)")


class PostgresProcesses:
    """CPU of one database's work on a local PostgreSQL, between ``start()`` and ``stop()``.

    Counted: the backends connected to the database, their parallel workers, and the cluster's
    background processes (checkpointer, writers, launchers), sampled with the rest every 0.2 s;
    plus every process that exited meanwhile (the postmaster's reaped-children CPU), less the
    exited processes seen serving other databases. So short-lived parallel workers and backends
    count, and other people's tests on a shared server mostly do not (only their processes that
    live less than 0.2 s are counted too).
    """

    def __init__(self, database_url: str) -> None:
        import psycopg

        with psycopg.connect(database_url) as connection:
            self.database = connection.info.dbname
            backend = connection.execute("SELECT pg_backend_pid()").fetchall()[0][0]
            stat = read_stat(backend)  # while the backend lives: its parent is the postmaster
        self.postmaster = stat[0] if stat else None  # None: PostgreSQL runs on another machine
        self.titles: dict[int, str] = {}
        self.mine: set[int] = set()

    def children(self) -> dict[int, float]:
        """CPU seconds of each live child of the postmaster."""
        found = {}
        for pid in Path(f"/proc/{self.postmaster}/task/{self.postmaster}/children").read_text().split():
            stat = read_stat(int(pid))
            if stat is not None:
                found[int(pid)] = stat[1]
        return found

    def title(self, pid: int) -> str:
        """The process title (``postgres: ... user database host(port) state``), read once per run."""
        if pid not in self.titles:
            try:
                raw = Path(f"/proc/{pid}/cmdline").read_bytes()
            except OSError:
                raw = b""
            self.titles[pid] = raw.replace(b"\0", b" ").decode(errors="replace")
        return self.titles[pid]

    def ours(self, pid: int) -> bool:
        """True for a backend of the database, a parallel worker of one, or a background process."""
        title = self.title(pid)
        leader = re.search(r"parallel worker for PID (\d+)", title)
        if leader:
            return int(leader.group(1)) in self.mine
        return f" {self.database} " in f"{title} " or bool(BACKGROUND.search(title))

    def local_postmaster(self) -> int:
        """The postmaster's pid; the benchmark measures PostgreSQL only when it runs on this machine."""
        if self.postmaster is None:
            raise RuntimeError("PostgreSQL runs on another machine: its processes cannot be measured")
        return self.postmaster

    def start(self) -> None:
        self.titles = {}
        self.mine = set()
        self.first = self.children()
        self.last = dict(self.first)
        self.reaped = reaped_cpu(self.local_postmaster())
        self.sample()

    def sample(self) -> None:
        now = self.children()
        self.last.update(now)
        # Backends first, so that a parallel worker finds its leader already known.
        for pid in sorted(now, key=lambda p: "parallel worker" in self.title(p)):
            if pid not in self.mine and self.ours(pid):
                self.mine.add(pid)

    def stop(self) -> float:
        self.sample()
        alive = self.children()
        exited = set(self.last) - set(alive)
        used = sum(alive[pid] - self.first.get(pid, 0.0) for pid in self.mine if pid in alive)
        used += reaped_cpu(self.local_postmaster()) - self.reaped  # every child that exited, whole
        used -= sum(self.last[pid] for pid in exited if pid not in self.mine)  # less other databases'
        used -= sum(self.first[pid] for pid in exited & self.mine if pid in self.first)  # less before the run
        return used


class CpuMeter:
    """CPU seconds of the server's processes (and PostgreSQL's, see ``PostgresProcesses``) over a run.

    Sampled every 0.2 s, so a server process that exits during the run counts up to its last
    sample, and one that starts during the run counts whole.
    """

    def __init__(self, server_roots: list[int], postgres: PostgresProcesses | None) -> None:
        self.select = tree(server_roots)
        self.postgres = postgres
        self.done = threading.Event()
        self.thread: threading.Thread | None = None

    def sample(self) -> None:
        table = process_table()
        for pid in self.select(table):
            self.last[pid] = table[pid][1]
        if self.postgres is not None:
            self.postgres.sample()

    def start(self) -> None:
        table = process_table()
        self.first = {pid: table[pid][1] for pid in self.select(table)}
        self.last = dict(self.first)
        if self.postgres is not None:
            self.postgres.start()
        self.done.clear()
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self) -> None:
        while not self.done.wait(0.2):
            self.sample()

    def stop(self) -> dict[str, float]:
        self.done.set()
        if self.thread is not None:
            self.thread.join()
        self.sample()
        used = {"server": sum(cpu - self.first.get(pid, 0.0) for pid, cpu in self.last.items())}
        if self.postgres is not None:
            used["postgres"] = self.postgres.stop()
        return used


def children_cpu() -> float:
    """CPU seconds of this process's reaped children (wrk, when it is the only one run meanwhile)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


# --- running --------------------------------------------------------------------------------------


@dataclass
class Figures:
    """What one or more measured runs of a scenario gave."""

    scenario: str
    title: str
    requests: int = 0
    seconds: float = 0.0
    errors: int = 0
    server_cpu: float = 0.0
    postgres_cpu: float | None = 0.0
    wrk_cpu: float = 0.0
    p50_ms: list[float] = field(default_factory=list)
    p99_ms: list[float] = field(default_factory=list)

    def row(self) -> dict[str, float | str | None]:
        per = 1000 / self.requests if self.requests else 0.0
        pg = None if self.postgres_cpu is None else round(self.postgres_cpu * per, 2)
        return {
            "scenario": f"{self.scenario} {self.title}",
            "req/s": round(self.requests / self.seconds, 1) if self.seconds else 0.0,
            "p50 ms": round(statistics.median(self.p50_ms), 1) if self.p50_ms else None,
            "p99 ms": round(statistics.median(self.p99_ms), 1) if self.p99_ms else None,
            "errors": self.errors,
            "server CPU ms/req": round(self.server_cpu * per, 2),
            "PG CPU ms/req": pg,
            "total CPU ms/req": round(self.server_cpu * per + (pg or 0.0), 2),
            "wrk CPU ms/req": round(self.wrk_cpu * per, 3),
        }


def wrk(spec: Path, seconds: float, tag: str, port: int = PORT) -> dict[str, int]:
    """One wrk run of the scenario described in ``spec`` against ``port``; its BENCH_RESULT line, decoded."""
    command = [
        "wrk",
        f"-t{os.environ.get('BENCH_THREADS', '2')}",
        f"-c{os.environ.get('BENCH_CONNECTIONS', '16')}",
        f"-d{seconds:g}s",
        "--timeout",
        "30s",
        "--latency",
        "-s",
        str(ROOT / "bench" / "wrk.lua"),
        f"http://127.0.0.1:{port}",
        "--",
        str(spec),
        tag,
    ]
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    line = next((line for line in done.stdout.splitlines() if line.startswith("BENCH_RESULT ")), None)
    if line is None:
        raise SystemExit(f"wrk printed no result:\n{done.stdout}\n{done.stderr}")
    return json.loads(line.removeprefix("BENCH_RESULT "))


def write_spec(
    folder: Path, scenario: Scenario, token: str, ids: dict[str, list[str]], values: dict[str, str] | None = None
) -> Path:
    """The files bench/wrk.lua reads for ``scenario`` (``values`` fill the path's set-up placeholders)."""
    spec = folder / scenario.name
    spec.mkdir(parents=True, exist_ok=True)
    (spec / "method").write_text(scenario.method)
    path = scenario.path
    for name, value in (values or {}).items():
        path = path.replace("{" + name + "}", value)
    (spec / "path").write_text(path)
    (spec / "body").unlink(missing_ok=True)
    if scenario.body is not None:
        (spec / "body").write_text(scenario.body())
    (spec / "token").write_text(token)
    (spec / "companies").write_text("\n".join(ids["companies"]))
    (spec / "people").write_text("\n".join(ids["people"]))
    return spec


def measure(spec: Path, figures: Figures, meter: CpuMeter, tag: str, port: int = PORT) -> None:
    """Warm up, then one measured run against ``port``; add its figures to ``figures``."""
    warmup = float(os.environ.get("BENCH_WARMUP", "2"))
    if warmup > 0:
        wrk(spec, warmup, f"{tag}w", port)
    wrk_before = children_cpu()
    meter.start()
    result = wrk(spec, float(os.environ.get("BENCH_SECONDS", "10")), tag, port)
    used = meter.stop()
    figures.wrk_cpu += children_cpu() - wrk_before
    figures.requests += result["requests"]
    figures.seconds += result["duration_us"] / 1e6
    errors = ("connect_errors", "read_errors", "write_errors", "status_errors", "timeouts")
    figures.errors += sum(result[key] for key in errors)
    figures.server_cpu += used["server"]
    figures.postgres_cpu = None if "postgres" not in used else (figures.postgres_cpu or 0.0) + used["postgres"]
    figures.p50_ms.append(result["p50_us"] / 1000)
    figures.p99_ms.append(result["p99_us"] / 1000)


# --- set-up ---------------------------------------------------------------------------------------


def ensure_wrk() -> None:
    """wrk on the PATH, installed from Debian's packages when missing and allowed."""
    if shutil.which("wrk"):
        return
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print("installing wrk (Debian package) ...", flush=True)
        subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], check=False, capture_output=True)
        if not shutil.which("wrk"):
            subprocess.run(["apt-get", "update", "-q"], check=False, capture_output=True)
            subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], check=False, capture_output=True)
    if not shutil.which("wrk"):
        raise SystemExit("wrk is needed: install it (Debian/Ubuntu: apt-get install wrk; macOS: brew install wrk)")


def manage(*args: str, env: dict[str, str]) -> str:
    """Run a management command and return its output."""
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    ).stdout


def call(path: str, token: str) -> dict:
    request = urllib.request.Request(f"http://127.0.0.1:{PORT}{path}", headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=60) as answer:
        return json.loads(answer.read())


def sample_ids(plural: str, token: str, count: int = ID_SAMPLE) -> list[str]:
    """The ids of the first ``count`` records of ``plural``, read page by page over the API."""
    ids: list[str] = []
    cursor = ""
    while len(ids) < count:
        page = call(f"/rest/{plural}?limit=200{f'&starting_after={cursor}' if cursor else ''}", token)
        ids += [record["id"] for record in page["data"][plural]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        cursor = page["pageInfo"]["endCursor"]
    return ids[:count]


def creation_timings(token: str) -> dict[str, str]:
    """Milliseconds to create (and delete) a custom object in a small workspace, median of three."""
    timings = []
    for attempt in range(3):
        body = json.dumps(
            {
                "nameSingular": f"probe{attempt}",
                "namePlural": f"probes{attempt}",
                "labelSingular": "P",
                "labelPlural": "Ps",
            }
        ).encode()
        request = urllib.request.Request(
            f"http://127.0.0.1:{PORT}/rest/metadata/objects",
            data=body,
            method="POST",
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        )
        started = time.perf_counter()
        with urllib.request.urlopen(request, timeout=60) as answer:
            created = json.loads(answer.read())["data"]["createOneObject"]["id"]
        timings.append((time.perf_counter() - started) * 1000)
        # Deactivated first: an active object cannot be deleted.
        for method, payload in (("PATCH", b'{"isActive": false}'), ("DELETE", None)):
            removal = urllib.request.Request(
                f"http://127.0.0.1:{PORT}/rest/metadata/objects/{created}",
                data=payload,
                method=method,
                headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
            )
            urllib.request.urlopen(removal, timeout=60).read()
    return {"create object ms": f"{statistics.median(timings):.0f}"}


def wait_until_up(processes: list[subprocess.Popen]) -> None:
    """Poll until the server answers (any HTTP status)."""
    for _ in range(300):
        if any(process.poll() is not None for process in processes):
            raise SystemExit("the server exited while starting")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{PORT}/rest/companies", timeout=1)
            return
        except urllib.error.HTTPError as error:
            if error.code < 500:  # the application answers (a proxy in front says 502 until then)
                return
            time.sleep(0.1)
        except OSError:
            time.sleep(0.1)
    raise SystemExit("server did not start")


def bench_workers() -> int:
    """``BENCH_WORKERS``, or as many server processes as production starts here (``dev.web_workers``)."""
    return int(os.environ.get("BENCH_WORKERS") or web_workers())


def start_server(env: dict[str, str], scratch: Path) -> list[subprocess.Popen]:
    """The server's processes, each in a process group of its own."""
    name = os.environ.get("BENCH_SERVER", "production")
    workers = bench_workers()
    OUT.mkdir(parents=True, exist_ok=True)
    with open(OUT / "server.log", "ab") as log:  # nginx says 502 until granian listens: kept out of the table
        return [
            subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True, stdout=log, stderr=subprocess.STDOUT)
            for command in server_commands(name, PORT, workers, scratch)
        ]


# --- report ---------------------------------------------------------------------------------------

COLUMNS = [
    "req/s",
    "p50 ms",
    "p99 ms",
    "errors",
    "server CPU ms/req",
    "PG CPU ms/req",
    "total CPU ms/req",
    "wrk CPU ms/req",
]
HEADERS = ["req/s", "p50 ms", "p99 ms", "errors", "server", "PG", "total", "wrk"]


def print_row(row: dict) -> None:
    cells = "".join(f"{'-' if row[c] is None else row[c]:>9}" for c in COLUMNS)
    print(f"{row['scenario'][:58]:58}{cells}", flush=True)


def report(rows: list[dict], context: dict) -> None:
    """Write the figures as JSON and markdown into var/bench/ (latest.* and a dated copy)."""
    OUT.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    document = {"context": context, "rows": rows}
    markdown = [
        f"Benchmark {stamp}: " + ", ".join(f"{k} {v}" for k, v in context.items()),
        "",
        "| scenario | " + " | ".join(COLUMNS) + " |",
        "|---|" + "---:|" * len(COLUMNS),
        *(
            "| " + " | ".join(str("-" if row[c] is None else row[c]) for c in ["scenario", *COLUMNS]) + " |"
            for row in rows
        ),
        "",
        "CPU columns are milliseconds of CPU per request (server processes, PostgreSQL, wrk).",
    ]
    for name in (f"bench-{stamp}", "latest"):
        (OUT / f"{name}.json").write_text(json.dumps(document, indent=2) + "\n")
        (OUT / f"{name}.md").write_text("\n".join(markdown) + "\n")
    print(f"\nwritten: {OUT / 'latest.md'} and {OUT / 'latest.json'} (and dated copies)")


def ensure_database(database_url: str) -> None:
    """Create the PostgreSQL database ``database_url`` names when it does not exist yet."""
    from urllib.parse import urlsplit, urlunsplit

    import psycopg
    from psycopg import sql

    parts = urlsplit(database_url)
    name = parts.path.lstrip("/")
    with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as connection:
        if connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is None:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            print(f"created database {name}")


def prepared_environment() -> dict[str, str]:
    """The server's environment (``DEBUG`` off, rate limits on but never refusing), with its
    database created when it is a missing PostgreSQL one, and migrated."""
    env = {**os.environ, "DEBUG": "0", "SECRET_KEY": os.environ.get("SECRET_KEY", "bench-secret"), "LOG_LEVEL": "ERROR"}
    # Rate limits stay on (their cost is part of every request) but high enough never to refuse one.
    env.setdefault("RATE_LIMIT_REQUESTS", "1000000000")
    env.setdefault("RATE_LIMIT_PROXY_COUNT", "1")
    database_url = env.get("DATABASE_URL", "")
    if database_url.startswith(("postgres://", "postgresql://")):
        ensure_database(database_url)
    manage("migrate", "--noinput", env=env)
    return env


def main() -> int:
    mode_name = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("BENCH_MODE", "default")
    if mode_name not in MODES:
        raise SystemExit(f"unknown mode {mode_name!r}; one of {', '.join(MODES)}")
    mode = MODES[mode_name]
    wanted = [n.strip() for n in os.environ.get("BENCH_SCENARIOS", "").split(",") if n.strip()]
    scenarios = [s for s in mode.scenarios if not wanted or s.name in wanted]
    slow_clients = int(os.environ.get("BENCH_SLOW_CLIENTS", "0"))
    if not scenarios and not slow_clients:
        print(f"mode {mode_name!r}: no scenario matches BENCH_SCENARIOS={os.environ.get('BENCH_SCENARIOS')!r}")
        return 0
    ensure_wrk()
    env = prepared_environment()
    database_url = env.get("DATABASE_URL", "")
    started = time.time()
    companies = os.environ.get("BENCH_COMPANIES", str(mode.companies))
    people = os.environ.get("BENCH_PEOPLE", str(mode.people))
    workspaces = os.environ.get("BENCH_WORKSPACES", str(mode.workspaces))
    seeded = manage("bench_seed", "--companies", companies, "--people", people, "--workspaces", workspaces, env=env)
    *notes, token = seeded.strip().splitlines()
    for note in notes:
        print(note)
    print(
        f"seeded/checked the Bench workspace ({companies} companies, {people} people) and {workspaces} small "
        f"workspaces in {time.time() - started:.0f}s"
    )
    tokens = {"bench": token}
    if any(s.workspace == "small" for s in scenarios):
        tokens["small"] = manage("create_api_key", SMALL_WORKSPACE, "--name", "bench", env=env).strip().splitlines()[-1]
    pg = PostgresProcesses(database_url) if database_url.startswith(("postgres://", "postgresql://")) else None
    if pg is not None and pg.postmaster is None:
        print("PostgreSQL runs on another machine: no PG CPU figures")
        pg = None
    scratch = Path(tempfile.mkdtemp(prefix="crm_bench_"))
    scratch.chmod(0o755)  # nginx's workers (another user when started as root) reach the socket inside
    processes = start_server(env, scratch)
    try:
        wait_until_up(processes)
        redis = local_redis_pids(env.get("REDIS_URL", ""))
        meter = CpuMeter([process.pid for process in processes] + redis, pg)
        ids = {
            name: {"companies": sample_ids("companies", key), "people": sample_ids("people", key)}
            for name, key in tokens.items()
        }
        values = {"next": call("/rest/people?order_by=name.lastName&limit=60", token)["pageInfo"]["endCursor"]}
        if "small" in tokens:
            context_timings = creation_timings(tokens["small"])
            print("at scale: " + ", ".join(f"{k} {v}" for k, v in context_timings.items()))
        rounds = int(os.environ.get("BENCH_ROUNDS", "1"))
        figures = {s.name: Figures(s.name, s.title) for s in scenarios}
        context = {
            "mode": mode_name,
            "server": os.environ.get("BENCH_SERVER", "production"),
            "workers": bench_workers(),
            "connections": int(os.environ.get("BENCH_CONNECTIONS", "16")),
            "wrk threads": int(os.environ.get("BENCH_THREADS", "2")),
            "seconds": float(os.environ.get("BENCH_SECONDS", "10")),
            "rounds": rounds,
            "database": "postgresql" if pg else "sqlite",
            "records": f"{companies} companies, {people} people",
            "small workspaces": workspaces,
        }
        if "small" in tokens:
            context.update(context_timings)
        if scenarios:
            print(f"\n{'scenario':58}" + "".join(f"{h:>9}" for h in HEADERS))
        for round_number in range(rounds):
            for scenario in scenarios:
                key = tokens[scenario.workspace]
                spec = write_spec(scratch / "specs", scenario, key, ids[scenario.workspace], values)
                tag = f"{int(started)}{scenario.name}{round_number}"  # unique values differ between runs
                measure(spec, figures[scenario.name], meter, tag)
                if round_number == rounds - 1:
                    print_row(figures[scenario.name].row())
        rows = [figures[s.name].row() for s in scenarios]
        if slow_clients:
            probe = slow_client_probe(PORT, token, f"/rest/companies/{ids['bench']['companies'][0]}", slow_clients)
            print(f"\nslow clients: {probe}")
            context["slow clients"] = probe
        report(rows, context)
    finally:
        stop_groups(processes)
        shutil.rmtree(scratch, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
