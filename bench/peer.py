"""Side by side with the peer the read-path issue measures us against: Directus 12.4.

Same machine, same PostgreSQL, the same data (10,000 companies, 50,000 people, each person at a
company, in one of 100 cities), the same eight requests as ``bench/run.py``'s a-h in Directus's
dialect, wrk at the same concurrency, and CPU per request of each server and of PostgreSQL,
measured the same way (``bench/run.py``'s meters). Runs alternate between the two servers
(ours, Directus, Directus, ours, ...), so a drift of the machine's speed hits both.

Usage (Node.js and npm needed for Directus)::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/crm_bench .venv/bin/python bench/peer.py setup
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/crm_bench .venv/bin/python bench/peer.py

``setup`` installs Directus into ``PEER_DIR`` [var/peer/directus] with npm, bootstraps it on
``PEER_DATABASE_URL`` [postgres://postgres@127.0.0.1:5432/directus_bench], creates the two
collections through its API (so its own metadata is right; the many-to-one ``company`` through
``/relations``), loads the rows with SQL and indexes ``companies(name)``, ``companies(employees)``
and ``people(company)``, as a user who sorts and filters on them would. Directus runs as one Node
process with its data cache off (``CACHE_ENABLED=false``) and its rate and pressure limiters off;
it keeps its default activity and revision log, as a user would have it.

Directus's answers are smaller than ours: its records hold the seven columns above, ours every
field of Twenty's ``person`` and ``company`` (composite fields, actors, positions...), and its
lists count only when asked (``meta=filter_count``, asked here, since our lists always carry
``totalCount``). Environment as ``bench/run.py`` (``BENCH_SECONDS``, ``BENCH_ROUNDS``,
``BENCH_SCENARIOS``, ``BENCH_WORKERS``, ``BENCH_CONNECTIONS``...), plus ``PEER_PORT`` [8055].
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import run

from dev import stop_groups

PEER_DIR = Path(os.environ.get("PEER_DIR", run.ROOT / "var" / "peer" / "directus"))
PEER_DATABASE_URL = os.environ.get("PEER_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/directus_bench")
PEER_PORT = int(os.environ.get("PEER_PORT", "8055"))
TOKEN = "directus-bench-token"
ADMIN = ("admin@example.com", "bench-admin-password")

PERSON = (
    '{"first_name":"Bench","last_name":"Person","email":"bench-{u}@example.com","city":"Paris",'
    '"job_title":"Engineer","company":"{company}"}'
)
PEOPLE_QUERY = (
    "{ people(limit: 60) { id first_name last_name email city job_title created_at "
    "company { id name domain_name employees } } }"
)
#: Directus's form of each scenario of bench/run.py (same name, same work).
PEER_SCENARIOS = [
    run.Scenario("a", "", "GET", "/items/companies?limit=60&sort=name&meta=filter_count"),
    run.Scenario("b", "", "GET", "/items/companies?filter[employees][_gt]=500&limit=60&meta=filter_count"),
    run.Scenario("c", "", "GET", "/items/companies/{company}"),
    run.Scenario("d", "", "POST", "/items/people", lambda: PERSON),
    run.Scenario("e", "", "POST", "/items/people", lambda: f"[{','.join([PERSON] * 60)}]"),
    run.Scenario("f", "", "PATCH", "/items/people/{person}", lambda: '{"job_title":"Engineer {u}","city":"City {u}"}'),
    run.Scenario(
        "g",
        "",
        "GET",
        "/items/people?limit=60&fields=id,first_name,last_name,email,city,job_title,created_at,company.*",
    ),
    run.Scenario("h", "", "POST", "/graphql", lambda: json.dumps({"query": PEOPLE_QUERY})),
]

TIMESTAMPS = [
    {"field": "created_at", "type": "timestamp", "meta": {"special": ["date-created"]}, "schema": {}},
    {"field": "updated_at", "type": "timestamp", "meta": {"special": ["date-updated"]}, "schema": {}},
]
UUID_KEY = {"field": "id", "type": "uuid", "meta": {"special": ["uuid"]}, "schema": {"is_primary_key": True}}
COLLECTIONS = [
    {
        "collection": "companies",
        "schema": {},
        "fields": [
            UUID_KEY,
            {"field": "name", "type": "string", "schema": {}},
            {"field": "employees", "type": "integer", "schema": {}},
            {"field": "domain_name", "type": "string", "schema": {}},
            *TIMESTAMPS,
        ],
    },
    {
        "collection": "people",
        "schema": {},
        "fields": [
            UUID_KEY,
            *({"field": name, "type": "string", "schema": {}} for name in ("first_name", "last_name")),
            {"field": "email", "type": "string", "schema": {"is_unique": True}},
            *({"field": name, "type": "string", "schema": {}} for name in ("city", "job_title")),
            {"field": "company", "type": "uuid", "meta": {"special": ["m2o"]}, "schema": {}},
            *TIMESTAMPS,
        ],
    },
]
RELATION = {
    "collection": "people",
    "field": "company",
    "related_collection": "companies",
    "schema": {"on_delete": "SET NULL"},
}
LOAD = """
CREATE INDEX IF NOT EXISTS companies_name_idx ON companies (name);
CREATE INDEX IF NOT EXISTS companies_employees_idx ON companies (employees);
CREATE INDEX IF NOT EXISTS people_company_idx ON people (company);
INSERT INTO companies (id, name, employees, domain_name, created_at, updated_at)
SELECT gen_random_uuid(), 'Company ' || lpad(n::text, 6, '0'), 1 + floor(random() * 1000)::int,
       'https://company' || n || '.example', now(), now()
FROM generate_series(0, 9999) AS n;
INSERT INTO people (id, first_name, last_name, email, city, job_title, company, created_at, updated_at)
SELECT gen_random_uuid(), 'First' || n, 'Last' || (n % 997), 'person' || n || '@example.com',
       'City ' || lpad((n % 100)::text, 2, '0'),
       (ARRAY['CEO','CTO','Engineer','Designer','Sales','Marketing','Support','Finance'])[1 + n % 8],
       c.id, now(), now()
FROM generate_series(0, 49999) AS n
JOIN (SELECT row_number() OVER (ORDER BY name) - 1 AS rn, id FROM companies) AS c ON c.rn = n % 10000
"""
#: What the write scenarios leave behind: their people, the updated cities, Directus's log rows.
CLEANUP = """
DELETE FROM people WHERE email LIKE 'bench-%@example.com';
UPDATE people SET city = 'City ' || lpad((substring(first_name from 6)::int % 100)::text, 2, '0'),
       job_title = (ARRAY['CEO','CTO','Engineer','Designer','Sales','Marketing','Support','Finance'])
                   [1 + substring(first_name from 6)::int % 8]
WHERE city LIKE 'City %-%';
DELETE FROM directus_revisions WHERE collection IN ('people', 'companies');
DELETE FROM directus_activity WHERE collection IN ('people', 'companies')
"""


def peer_env() -> dict[str, str]:
    """Directus's configuration: one process, PostgreSQL, no data cache, no limiters."""
    from urllib.parse import urlsplit

    url = urlsplit(PEER_DATABASE_URL)
    return {
        **os.environ,
        "HOST": "127.0.0.1",
        "PORT": str(PEER_PORT),
        "PUBLIC_URL": f"http://127.0.0.1:{PEER_PORT}",
        "DB_CLIENT": "pg",
        "DB_HOST": url.hostname or "127.0.0.1",
        "DB_PORT": str(url.port or 5432),
        "DB_DATABASE": url.path.lstrip("/"),
        "DB_USER": url.username or "postgres",
        "DB_PASSWORD": url.password or "",
        "SECRET": "directus-bench-secret-0123456789abcdef0123456789abcdef",
        "ADMIN_EMAIL": ADMIN[0],
        "ADMIN_PASSWORD": ADMIN[1],
        "CACHE_ENABLED": "false",
        "RATE_LIMITER_ENABLED": "false",
        "RATE_LIMITER_GLOBAL_ENABLED": "false",
        "PRESSURE_LIMITER_ENABLED": "false",
        "LOG_LEVEL": "warn",
        "TELEMETRY": "false",
        "WEBSOCKETS_ENABLED": "false",
        "EXTENSIONS_PATH": str(PEER_DIR / "extensions"),
        "STORAGE_LOCATIONS": "local",
        "STORAGE_LOCAL_ROOT": str(PEER_DIR / "uploads"),
        "NODE_ENV": "production",
    }


def peer_call(method: str, path: str, body: object = None, token: str = TOKEN) -> dict:
    """One JSON request to Directus."""
    request = urllib.request.Request(
        f"http://127.0.0.1:{PEER_PORT}{path}",
        data=json.dumps(body).encode() if body is not None else None,
        method=method,
        headers={"Content-Type": "application/json", **({"Authorization": f"Bearer {token}"} if token else {})},
    )
    with urllib.request.urlopen(request, timeout=60) as answer:
        content = answer.read()
    return json.loads(content) if content else {}


def start_peer() -> subprocess.Popen:
    """Directus in a process group of its own, once it answers."""
    log = open(PEER_DIR / "server.log", "ab")
    process = subprocess.Popen(
        ["node", "node_modules/directus/cli.js", "start"],
        cwd=PEER_DIR,
        env=peer_env(),
        start_new_session=True,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    for _ in range(240):
        if process.poll() is not None:
            raise SystemExit(f"Directus exited while starting; see {PEER_DIR / 'server.log'}")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{PEER_PORT}/server/ping", timeout=1).read()
            return process
        except (urllib.error.URLError, OSError):
            time.sleep(0.5)
    raise SystemExit("Directus did not start")


def sql(statements: str, autocommit_after: tuple[str, ...] = ()) -> None:
    """Run ``statements`` on the peer's database in one transaction, then ``autocommit_after`` one by one."""
    import psycopg

    with psycopg.connect(PEER_DATABASE_URL) as connection:
        connection.execute(statements.encode())
    with psycopg.connect(PEER_DATABASE_URL, autocommit=True) as connection:
        for statement in autocommit_after:
            connection.execute(statement.encode())


def setup() -> None:
    """Install Directus, bootstrap it, create the collections through its API and load the rows."""
    PEER_DIR.mkdir(parents=True, exist_ok=True)
    for folder in ("extensions", "uploads"):
        (PEER_DIR / folder).mkdir(exist_ok=True)
    # The registry may lack the admin app's newest build, which the API never serves here.
    package = {"private": True, "overrides": {"@directus/app": "18.0.0"}}
    (PEER_DIR / "package.json").write_text(json.dumps(package))
    subprocess.run(["npm", "install", "--no-audit", "--no-fund", "directus@12.4.1", "pg"], cwd=PEER_DIR, check=True)
    run.ensure_database(PEER_DATABASE_URL)
    subprocess.run(["node", "node_modules/directus/cli.js", "bootstrap"], cwd=PEER_DIR, env=peer_env(), check=True)
    process = start_peer()
    try:
        login = peer_call("POST", "/auth/login", {"email": ADMIN[0], "password": ADMIN[1]}, token="")
        peer_call("PATCH", "/users/me", {"token": TOKEN}, token=login["data"]["access_token"])
        for collection in COLLECTIONS:
            peer_call("POST", "/collections", collection)
        peer_call("POST", "/relations", RELATION)
    finally:
        stop_groups([process])
    sql(LOAD, ("VACUUM ANALYZE companies", "VACUUM ANALYZE people"))
    print(f"Directus is ready in {PEER_DIR} on {PEER_DATABASE_URL}")


def peer_ids(table: str) -> list[str]:
    """Ids of ``run.ID_SAMPLE`` random rows of ``table``."""
    import psycopg

    with psycopg.connect(PEER_DATABASE_URL) as connection:
        found = connection.execute(f"SELECT id::text FROM {table} ORDER BY random() LIMIT {run.ID_SAMPLE}")
        return [row[0] for row in found]


def ratio(theirs: float | None, ours: float | None) -> str:
    """``theirs / ours`` with two decimals, or a dash."""
    return f"{theirs / ours:.2f}" if theirs and ours else "-"


def main() -> int:
    run.ensure_wrk()
    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url.startswith(("postgres://", "postgresql://")):
        raise SystemExit("DATABASE_URL must name a PostgreSQL database (Directus runs on PostgreSQL)")
    if not (PEER_DIR / "node_modules" / "directus").exists():
        raise SystemExit(f"Directus is not installed in {PEER_DIR}: run `bench/peer.py setup` first")
    env = run.prepared_environment()
    token = run.manage("bench_seed", "--companies", "10000", "--people", "50000", env=env).strip().splitlines()[-1]
    sql(CLEANUP, ("VACUUM ANALYZE people",))
    wanted = [n.strip() for n in os.environ.get("BENCH_SCENARIOS", "").split(",") if n.strip()]
    pairs = [
        (ours, theirs)
        for ours, theirs in zip(run.SCENARIOS, PEER_SCENARIOS, strict=True)
        if not wanted or ours.name in wanted
    ]
    scratch = Path(tempfile.mkdtemp(prefix="crm_peer_"))
    scratch.chmod(0o755)
    ours_processes = run.start_server(env, scratch)
    peer = start_peer()
    try:
        run.wait_until_up(ours_processes)
        ours_meter = run.CpuMeter(
            [p.pid for p in ours_processes] + run.local_redis_pids(env.get("REDIS_URL", "")),
            run.PostgresProcesses(database_url),
        )
        peer_meter = run.CpuMeter([peer.pid], run.PostgresProcesses(PEER_DATABASE_URL))
        ids = {
            "ours": {"companies": run.sample_ids("companies", token), "people": run.sample_ids("people", token)},
            "peer": {"companies": peer_ids("companies"), "people": peer_ids("people")},
        }
        figures = {
            (side, ours.name): run.Figures(ours.name, ours.title) for ours, _ in pairs for side in ("ours", "peer")
        }
        rounds = int(os.environ.get("BENCH_ROUNDS", "2"))
        started = int(time.time())
        for round_number in range(rounds):
            for ours, theirs in pairs:
                runs = [
                    ("ours", ours, token, ours_meter, run.PORT),
                    ("peer", theirs, TOKEN, peer_meter, PEER_PORT),
                ]
                for side, scenario, key, meter, port in runs if round_number % 2 == 0 else runs[::-1]:
                    spec = run.write_spec(scratch / side, scenario, key, ids[side])
                    tag = f"{started}{side}{scenario.name}{round_number}"
                    run.measure(spec, figures[(side, ours.name)], meter, tag, port)
        report(pairs, figures, rounds)
    finally:
        stop_groups([*ours_processes, peer])
        shutil.rmtree(scratch, ignore_errors=True)
        sql(CLEANUP, ("VACUUM ANALYZE people",))
    return 0


def report(pairs: list, figures: dict, rounds: int) -> None:
    """One line per scenario: each side's req/s, p50 and CPU ms a request, and Directus / ours."""
    print(
        f"\n{rounds} round(s), {os.environ.get('BENCH_CONNECTIONS', '16')} connections, "
        f"{run.bench_workers()} processes of ours, 1 of Directus; CPU in ms a request (server + PostgreSQL)\n"
    )
    print(f"{'':42}{'ours':>32}{'Directus':>32}{'ours req/s':>12}{'their CPU':>12}")
    print(f"{'scenario':42}" + f"{'req/s':>8}{'p50':>8}{'server':>8}{'PG':>8}" * 2 + f"{'/ theirs':>12}{'/ ours':>12}")
    for ours, _ in pairs:
        rows = [figures[(side, ours.name)].row() for side in ("ours", "peer")]
        cells = "".join(
            f"{row['req/s']:>8}{row['p50 ms']:>8}{row['server CPU ms/req']:>8}{row['PG CPU ms/req']:>8}" for row in rows
        )
        print(
            f"{ours.name + ' ' + ours.title:42.42}{cells}"
            f"{ratio(rows[0]['req/s'], rows[1]['req/s']):>12}"
            f"{ratio(rows[1]['total CPU ms/req'], rows[0]['total CPU ms/req']):>12}"
        )


if __name__ == "__main__":
    if sys.argv[1:] == ["setup"]:
        setup()
        sys.exit(0)
    sys.exit(main())
