"""The template's output against plain single-schema Django, as ratios from one run.

    python benchmarks/run.py [--tenants 100,1000] [--one-by-one 1000] [--quick]   (template root)
    python benchmarks/run.py --tenants 10000 --migrations-only
    python benchmarks/run.py --routing 10,1000,10000,100000

Bakes the template with its default answers into a temporary folder and measures the baked
project there, on the database server of its test settings (DATABASE_URL's, or the embedded one).
For each fleet size it creates two databases of its own, one for the project (public, static
tenants, then the customers made with `manage.py createtenants`) and one for plain Django (one
schema with a customer's tables), and measures the same work on both: `migrateschema` against
`migrate` (nothing to do, then one new migration), creating tenants, queries and requests through
the whole middleware stack, within one tenant and round-robin over 100 and 1,000 tenants (pages
of a member, and `GET /api/v1/projects/` with an API key, its lookup included); queries
and requests also with the opt-in session form of the search path (PGSCHEMAS_SESSION_SEARCH_PATH)
against the default per-transaction one. The request-serving sides are worker processes that take
turns run by run. `--tenants 10000` also
works (about 15 minutes on 2 cores). The databases are dropped at the end, also when something
failed. Information only: nothing asserts these numbers.

`--against REF` measures members' pages (and the API, where both bakes have it) of this tree's
bake against a bake of the template at git revision REF, each with its own fleet, and plain
Django, taking turns in one run: what the work since REF costs a request. `--against-answers
include_billing=n` bakes the earlier side with those answers (space-separated), e.g. against
HEAD: what a part costs a request.

`--routing` measures routing alone (routing_worker.py): public filled with that many customers
and one domain each by bulk SQL (no schemas), ten of them real tenants that requests go to.
"""

import argparse
import atexit
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, closing, contextmanager, suppress
from dataclasses import dataclass, replace
from pathlib import Path
from subprocess import PIPE
from typing import Any
from urllib.parse import quote

TEMPLATE_ROOT = Path(__file__).resolve().parent.parent
HERE = Path(__file__).resolve().parent
WORKER_TIMEOUT_SECONDS = 3600  # for one answer of a worker
# Keys of Django's OPTIONS that are not connection parameters of the driver.
DJANGO_ONLY_OPTIONS = frozenset({"isolation_level", "server_side_binding", "assume_role", "pool"})
DOMAIN = "bench.test"
NEW_MIGRATION = """from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("tenant_app", "{latest}")]
    operations = [
        migrations.AddField("project", "bench_note", models.CharField(max_length=20, null=True))
    ]
"""


@dataclass(frozen=True)
class Sizes:
    queries: int  # per run of each ORM benchmark
    requests: int  # per run of each request benchmark
    repeats: int  # timed runs of each benchmark and side, after a warm-up run; the best counts
    creations: int  # tenants created one at a time, per way of creating them
    sustained: int  # tenants created one after the other, the pool refilled in the background
    mixes: tuple[int, ...]  # how many tenants requests go round
    command_repeats: int  # runs of `migrateschema` with nothing to do; the best counts


DEFAULT = Sizes(
    queries=1000,
    requests=1000,
    repeats=5,
    creations=20,
    sustained=1000,
    mixes=(1, 100, 1000, 10000),
    command_repeats=3,
)
QUICK = Sizes(
    queries=100,
    requests=30,
    repeats=2,
    creations=3,
    sustained=5,
    mixes=(1, 2),
    command_repeats=1,
)


class BenchmarkError(Exception):
    pass


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tenants", default="100,1000", help="fleet sizes, comma-separated")
    parser.add_argument("--quick", action="store_true", help="3 tenants, few runs: a smoke test")
    parser.add_argument(
        "--one-by-one",
        type=int,
        help="tenants created one by one (default 1,000; 5 with --quick; 0: skip)",
    )
    parser.add_argument(
        "--routing", help="routing only, at these fleet sizes (comma-separated): see above"
    )
    parser.add_argument(
        "--migrations-only",
        action="store_true",
        help="only migrateschema: nothing to do, then one new migration (and createtenants)",
    )
    parser.add_argument(
        "--against", metavar="REF", help="pages against a bake of the template at git REF"
    )
    parser.add_argument(
        "--against-answers",
        default="",
        metavar="KEY=VALUE ...",
        help="answers of the --against bake (default: the template's defaults)",
    )
    parser.add_argument(
        "--repeats",
        type=int,
        help="timed runs of each benchmark and side (default 5): the best counts",
    )
    options = parser.parse_args(argv)
    sizes = QUICK if options.quick else DEFAULT
    if options.repeats is not None:
        sizes = replace(sizes, repeats=options.repeats)
    if options.one_by_one is not None:
        sizes = replace(sizes, sustained=options.one_by_one)
    fleets = [3] if options.quick else [int(size) for size in options.tenants.split(",")]
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))
    started = time.perf_counter()
    scratch = Path(tempfile.mkdtemp(prefix="pgschemas-bench-"))
    # Removed at exit, after the embedded server (registered later, so stopped earlier) is gone.
    atexit.register(shutil.rmtree, scratch, ignore_errors=True)
    project = bake(scratch)
    server = project_database(project)  # keeps the embedded server up while we run
    if options.routing:
        for tenants in [int(size) for size in options.routing.split(",")]:
            figures = measure_routing(project, server, tenants)
            print(f"\nRouting at {tenants} tenants ({where()}):")
            lines = [f"  {key}: {value:.6g}" for key, value in figures.items()]
            print("\n".join(lines), flush=True)
        return 0
    try:
        if options.against:
            answers = options.against_answers.split()
            earlier = bake(scratch / "earlier", template_at(options.against, scratch), answers)
            described = " ".join([options.against, *answers])
            for tenants in fleets:
                rows = measure_against(project, earlier, server, tenants, sizes)
                print(f"\nAt {tenants} tenants, against {described} ({where()}):")
                print(against_table(rows, described), flush=True)
            return 0
        for tenants in fleets:
            rows = measure_fleet(project, server, tenants, sizes, options.migrations_only)
            print(f"\nAt {tenants} tenants (PostgreSQL {rows.pop('version')}, {where()}):")
            print(table(rows), flush=True)
    except BenchmarkError as error:
        print(error, file=sys.stderr)
        return 1
    print(f"\n({time.perf_counter() - started:.0f} s in all)")
    return 0


def bake(folder: Path, template: Path = TEMPLATE_ROOT, answers: list[str] | None = None) -> Path:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "cookiecutter",
            "--no-input",
            "--output-dir",
            str(folder),
            str(template),
            *(answers or []),
        ],
        check=True,
        capture_output=True,
    )
    return folder / "my_saas"


def template_at(revision: str, scratch: Path) -> Path:
    """The template's files at a git revision, in a folder of the scratch space."""
    folder = scratch / "template-at-revision"
    folder.mkdir()
    archive = subprocess.run(
        ["git", "-C", str(TEMPLATE_ROOT), "archive", revision],
        check=True,
        capture_output=True,
    )
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive.stdout, check=True)
    return folder


def where() -> str:
    return "DATABASE_URL" if os.environ.get("DATABASE_URL") else "embedded server"


def project_database(project: Path) -> dict[str, Any]:
    """DATABASES["default"] of the baked project's test settings, starting the embedded server
    if that is the one they use (it stops when the last process using it exits)."""
    sys.path.insert(0, str(project))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    from config.settings import test

    return test.DATABASES["default"]


def admin_connection(database: dict[str, Any]) -> Any:
    import psycopg2

    parameters = {
        "dbname": database.get("NAME"),
        "user": database.get("USER"),
        "password": database.get("PASSWORD"),
        "host": database.get("HOST"),
        "port": database.get("PORT"),
    }
    options = database.get("OPTIONS", {})
    connection = psycopg2.connect(
        **{key: value for key, value in parameters.items() if value not in (None, "")},
        **{key: value for key, value in options.items() if key not in DJANGO_ONLY_OPTIONS},
    )
    connection.autocommit = True
    return connection


def database_url(database: dict[str, Any]) -> str:
    """DATABASES["default"] as a DATABASE_URL; a Unix socket directory goes in the path, where
    django-environ takes it as the host (``postgres://user@:5432//run/dir/name``)."""
    user = quote(database.get("USER") or "", safe="")
    password = quote(database.get("PASSWORD") or "", safe="")
    credentials = f"{user}:{password}@" if password else f"{user}@" if user else ""
    host = str(database.get("HOST") or "")
    port = f":{database['PORT']}" if database.get("PORT") else ""
    name = quote(database.get("NAME") or "", safe="")
    if host.startswith("/"):
        return f"postgres://{credentials}{port}/{host}/{name}"
    return f"postgres://{credentials}{quote(host, safe='')}{port}/{name}"


@contextmanager
def databases(server: dict[str, Any]) -> Iterator[tuple[str, str, str]]:
    """A database for the project and one for plain Django; their names and the version."""
    from psycopg2 import sql

    base = f"pgschemas_bench_{os.getpid()}_{secrets.token_hex(3)}"
    names = (base, f"{base}_plain")
    with closing(admin_connection(server)) as connection, connection.cursor() as cursor:
        for name in names:
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0].split()[0]
    try:
        yield names[0], names[1], version
    finally:
        with closing(admin_connection(server)) as connection, connection.cursor() as cursor:
            for name in names:
                statement = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)")
                cursor.execute(statement.format(sql.Identifier(name)))


def command_env(
    project: Path, server: dict[str, Any], name: str, plain_name: str = ""
) -> dict[str, str]:
    """The environment of the baked project's commands and workers: its databases on this
    benchmark's server, by DATABASE_URL as in production. Without it, each process would join
    the embedded server through its library (about 0.35 s of start-up, development only), and an
    earlier bake would start an embedded server of its own, without the benchmark's databases."""
    return {
        **os.environ,
        "DATABASE_URL": os.environ.get("DATABASE_URL") or database_url(server),
        "PYTHONPATH": os.pathsep.join([str(project), str(HERE)]),
        "BENCH_DATABASE_NAME": name,
        "BENCH_PLAIN_DATABASE_NAME": plain_name,
    }


def measure_fleet(
    project: Path, server: dict[str, Any], tenants: int, sizes: Sizes, migrations_only: bool
) -> dict:
    mixes = tuple(mix for mix in sizes.mixes if mix <= tenants)
    with databases(server) as (name, plain_name, version):
        env = command_env(project, server, name, plain_name)
        rows: dict[str, Any] = {"version": version}
        seconds = make_fleet(project, env, tenants)
        manage(project, env, "plain", "migrate", "-v", "0")
        for database in (name, plain_name):
            settle(server, database)
        rows["createtenants"] = {
            "pgschemas": seconds / tenants,
            "note": f"{tenants / seconds:.0f}/s",
        }
        # Before tenants are created one by one: measured at the fleet size given.
        rows["noop"] = best_commands(project, env, sizes.command_repeats)
        rows["new_migration"] = new_migration(project, env)
        if migrations_only:
            return rows
        schemas = [f"t_{number}" for number in range(1, max(mixes) + 1)]
        parameters = {
            "request_schemas": schemas,
            "domain": DOMAIN,
            "queries": sizes.queries,
            "requests": sizes.requests,
            "creations": sizes.creations,
            "sustained": sizes.sustained,
            "mixes": mixes,
        }
        with Worker(project, "setup", parameters, env) as setup:
            parameters["hosts"] = setup.greeting["hosts"]
        rows.update(serve_and_create(project, parameters, env, sizes))
    return rows


def measure_against(
    project: Path, earlier: Path, server: dict[str, Any], tenants: int, sizes: Sizes
) -> dict[str, Any]:
    """The same pages of the two bakes, each on a fleet of its own, and of plain Django."""
    mixes = tuple(mix for mix in sizes.mixes if mix <= tenants)
    with databases(server) as (name, plain_name, _), databases(server) as (earlier_name, _, _):
        envs = {}
        for bake_folder, database in ((project, name), (earlier, earlier_name)):
            env = command_env(bake_folder, server, database, plain_name)
            make_fleet(bake_folder, env, tenants)
            envs[bake_folder] = env
        manage(project, envs[project], "plain", "migrate", "-v", "0")
        parameters: dict[str, Any] = {
            "request_schemas": [f"t_{number}" for number in range(1, max(mixes) + 1)],
            "domain": DOMAIN,
            "queries": sizes.queries,
            "requests": sizes.requests,
            "creations": 0,
            "sustained": 0,
            "mixes": mixes,
        }
        for bake_folder, env in envs.items():
            with Worker(bake_folder, "setup", parameters, env) as setup:
                parameters["hosts"] = setup.greeting["hosts"]
        labels = [f"{kind}_{mix}" for kind in ("requests", "api") for mix in mixes]
        with ExitStack() as stack:
            workers = [
                stack.enter_context(Worker(project, "pgschemas", parameters, envs[project])),
                stack.enter_context(
                    Worker(earlier, "pgschemas", parameters, envs[earlier], name="earlier")
                ),
                stack.enter_context(Worker(project, "plain", parameters, envs[project])),
            ]
            return take_turns(workers, labels, sizes.repeats, counted=("pgschemas", "earlier"))


REAL_TENANTS = 10  # with schemas, among the fleet of rows that --routing fills


def measure_routing(project: Path, server: dict[str, Any], tenants: int) -> dict[str, float]:
    with databases(server) as (name, plain_name, version):
        env = {
            **command_env(project, server, name, plain_name),
            "DJANGO_SETTINGS_MODULE": "pgschemas_settings",
        }
        manage(project, env, "pgschemas", "migrateschema", "-v", "0")
        real = min(REAL_TENANTS, tenants)
        manage(project, env, "pgschemas", "createtenants", str(real), "--prefix", "t_")
        with closing(admin_connection({**server, "NAME": name})) as connection:
            fill_public(connection, tenants - real)
        result = subprocess.run(
            [sys.executable, str(HERE / "routing_worker.py")],
            cwd=project,
            env=env,
            capture_output=True,
            text=True,
        )
        if result.returncode != 0:
            raise BenchmarkError(f"routing_worker.py failed:\n{result.stderr[-4000:]}")
        return dict(json.loads(result.stdout))


def fill_public(connection: Any, rows: int) -> None:
    """``rows`` customers without schemas, copies of t_1 but for their names, one domain each;
    the real tenants get one domain each too."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT string_agg(quote_ident(column_name), ', ') FROM information_schema.columns "
            "WHERE table_schema = 'public' AND table_name = 'shared_app_client' "
            "AND column_name NOT IN ('id', 'schema_name', 'name')"
        )
        columns = cursor.fetchone()[0]
        cursor.execute(
            f"INSERT INTO shared_app_client (schema_name, name, {columns}) "
            f"SELECT 'r_' || number, 'r ' || number, {columns} FROM shared_app_client, "
            "generate_series(1, %s) number WHERE schema_name = 't_1'",
            [rows],
        )
        cursor.execute(
            "INSERT INTO shared_app_domain (domain, tenant_id, is_primary) "
            f"SELECT replace(schema_name, '_', '-') || '.{DOMAIN}', id, true "
            "FROM shared_app_client c WHERE NOT EXISTS "
            "(SELECT FROM shared_app_domain d WHERE d.tenant_id = c.id)"
        )
        cursor.execute("VACUUM ANALYZE shared_app_client")
        cursor.execute("VACUUM ANALYZE shared_app_domain")


def settle(server: dict[str, Any], name: str) -> None:
    """VACUUM (ANALYZE) the system catalogs and public's tables: the state that autovacuum leaves
    some time after a burst of sign-ups. Measured right after creating 10,000 tenants, the first
    migration shared the two cores with autovacuum working through their new catalog rows (34.7 s
    and 56.2 s in two runs, against 13-14 s on a settled database); on a server with autovacuum
    off, the catalogs' statistics would stay those of an empty database."""
    with closing(admin_connection({**server, "NAME": name})) as connection:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT format('%I.%I', schemaname, relname) FROM pg_stat_all_tables"
                " WHERE schemaname IN ('pg_catalog', 'public')"
            )
            tables = [table for (table,) in cursor.fetchall()]
            for table in tables:
                cursor.execute(f"VACUUM (ANALYZE) {table}")


def manage(project: Path, env: dict[str, str], side: str, *argv: str) -> float:
    """Run a management command of the baked project; its wall time, start-up included."""
    settings = "pgschemas_settings" if side == "pgschemas" else "plain_settings"
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "manage.py", *argv],
        cwd=project,
        env={**env, "DJANGO_SETTINGS_MODULE": settings},
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise BenchmarkError(f"{side}: manage.py {' '.join(argv)} failed:\n{result.stderr[-4000:]}")
    return time.perf_counter() - start


def best_commands(project: Path, env: dict[str, str], repeats: int) -> dict[str, float]:
    return {
        "pgschemas": min(
            manage(project, env, "pgschemas", "migrateschema", "-v", "0") for _ in range(repeats)
        ),
        "plain": min(manage(project, env, "plain", "migrate", "-v", "0") for _ in range(repeats)),
    }


def make_fleet(project: Path, env: dict[str, str], tenants: int) -> float:
    """Public and the static tenants migrated, then ``tenants`` customers made with
    ``createtenants``: the seconds that took."""
    manage(project, env, "pgschemas", "migrateschema", "-v", "0")
    return manage(
        project,
        env,
        "pgschemas",
        "createtenants",
        str(tenants),
        "--prefix",
        "t_",
        "--domain",
        DOMAIN,
        "-v",
        "0",
    )


def new_migration(project: Path, env: dict[str, str]) -> dict[str, float]:
    """Both sides apply the same new migration (a nullable field) once."""
    folder = project / "tenant_app" / "migrations"
    latest = max(path.stem for path in folder.glob("[0-9][0-9][0-9][0-9]_*.py"))
    path = folder / "9999_bench_note.py"
    path.write_text(NEW_MIGRATION.format(latest=latest))
    try:
        return {
            "pgschemas": manage(project, env, "pgschemas", "migrateschema", "-v", "0"),
            "plain": manage(project, env, "plain", "migrate", "-v", "0"),
        }
    finally:
        path.unlink()


class Worker:
    """A worker.py process for one side; `run` has it run one benchmark once and waits."""

    def __init__(
        self,
        project: Path,
        side: str,
        parameters: dict[str, Any],
        env: dict[str, str],
        name: str | None = None,
    ) -> None:
        self.side = side
        self.name = name or side  # its column in the results
        self._stderr = tempfile.TemporaryFile(mode="w+")  # a file: a full pipe could block it
        self._process = subprocess.Popen(
            [sys.executable, str(HERE / "worker.py"), side],
            cwd=project,
            env=env,
            stdin=PIPE,
            stdout=PIPE,
            stderr=self._stderr,
            text=True,
        )
        # On stdin, not the command line: 10,000 tenants' names and hosts are too long for it.
        with suppress(OSError):  # it has exited: _answer says why
            self._process.stdin.write(json.dumps(parameters) + "\n")
            self._process.stdin.flush()
        self.greeting = self._answer()  # the hosts from "setup", {"ready": true} from the others

    def run(self, benchmark: str, *, count: bool = False) -> dict[str, float]:
        try:
            self._process.stdin.write(json.dumps({"benchmark": benchmark, "count": count}) + "\n")
            self._process.stdin.flush()
        except OSError:
            pass  # it has exited: _answer says why
        return self._answer()

    def _answer(self) -> dict[str, Any]:
        watchdog = threading.Timer(WORKER_TIMEOUT_SECONDS, self._process.terminate)
        watchdog.start()
        try:
            line = self._process.stdout.readline()
        finally:
            watchdog.cancel()
        if not line:
            self._process.wait()
            self._stderr.seek(0)
            raise BenchmarkError(
                f"The {self.side} worker stopped (exit code {self._process.returncode}):\n"
                f"{self._stderr.read()[-6000:]}"
            )
        return json.loads(line)

    def __enter__(self) -> "Worker":
        return self

    def __exit__(self, *exc_info: object) -> None:
        """Let the worker exit at the end of its input (it leaves the embedded server cleanly);
        stop it if it takes long."""
        with suppress(OSError):
            self._process.stdin.close()
        try:
            self._process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        self._process.stdout.close()
        self._stderr.close()


def serve_and_create(
    project: Path, parameters: dict[str, Any], env: dict[str, str], sizes: Sizes
) -> dict[str, Any]:
    """Queries and requests on both sides, taking turns; then tenant creation (pgschemas only)."""
    with ExitStack() as stack:
        workers = [
            stack.enter_context(Worker(project, side, parameters, env))
            for side in ("pgschemas", "session", "plain")
        ]
        labels = ["queries", "switching", *(f"requests_{mix}" for mix in parameters["mixes"])]
        labels += [f"api_{mix}" for mix in parameters["mixes"]]
        rows = take_turns(workers, labels, sizes.repeats, counted=("pgschemas", "plain"))
        for label in ("create_pooled", "create_unpooled"):
            rows[label] = {"pgschemas": workers[0].run(label)["seconds"]}
        if parameters["sustained"]:
            seconds = workers[0].run("create_sustained")["seconds"]
            rows["create_sustained"] = {
                "pgschemas": seconds,
                "note": f"{parameters['sustained']} tenants, {1 / seconds:.0f}/s",
            }
    return rows


def take_turns(
    workers: list["Worker"], labels: list[str], repeats: int, counted: tuple[str, ...]
) -> dict[str, Any]:
    """Each benchmark that every worker has, on every worker: the best of ``repeats`` runs, the
    workers taking turns run by run (in alternate orders) so that the machine getting busier or
    quieter favours none; then the statements per unit of the ``counted`` ones."""
    rows: dict[str, Any] = {}
    for label in labels:
        if not all(label in worker.greeting["workloads"] for worker in workers):
            continue  # a bake without the API
        for worker in workers:
            worker.run(label)  # warm-up: connections, caches, imports
        times: dict[str, list[float]] = {worker.name: [] for worker in workers}
        for repeat in range(repeats):
            for worker in workers if repeat % 2 == 0 else workers[::-1]:
                times[worker.name].append(worker.run(label)["seconds"])
        rows[label] = {name: min(values) for name, values in times.items()}
        rows[label]["round_trips"] = tuple(
            worker.run(label, count=True)["round_trips"]
            for worker in workers
            if worker.name in counted
        )
    return rows


ROWS = (
    ("noop", "migrateschema, nothing to do (the command)"),
    ("new_migration", "migrateschema applying one new migration"),
    ("create_pooled", "create one tenant + domain, spare schema"),
    ("create_unpooled", "create one tenant + domain, no spare left"),
    ("create_sustained", "create tenants one by one, pool of 5"),
    ("createtenants", "createtenants N, per tenant"),
    ("queries", "exists() in one tenant"),
    ("switching", "exists(), alternating 2 tenants"),
    ("requests_1", "GET / of one tenant"),
    ("requests_2", "GET / round-robin over 2 tenants"),
    ("requests_100", "GET / round-robin over 100 tenants"),
    ("requests_1000", "GET / round-robin over 1,000 tenants"),
    ("requests_10000", "GET / round-robin over 10,000 tenants"),
    ("api_1", "GET /api/v1/projects/, a key, one tenant"),
    ("api_2", "GET /api/v1/projects/, keys, 2 tenants"),
    ("api_100", "GET /api/v1/projects/, keys, 100 tenants"),
    ("api_1000", "GET /api/v1/projects/, keys, 1,000 tenants"),
    ("api_10000", "GET /api/v1/projects/, keys, 10,000 tenants"),
)


def table(rows: dict[str, Any]) -> str:
    """One line per measurement: time on each side, their ratios, and statements sent."""
    lines = [
        "{:<44} {:>10} {:>10} {:>7} {:>10} {:>7}  {}".format(
            "what", "pgschemas", "plain", "ratio", "session", "ratio", "statements (ours / plain)"
        )
    ]
    for label, what in ROWS:
        if label not in rows:
            continue
        row = rows[label]
        ours, theirs = row["pgschemas"], row.get("plain")
        session = row.get("session")
        trips = row.get("round_trips")
        extra = f"{trips[0]:.2f} / {trips[1]:.2f}" if trips else row.get("note", "")
        lines.append(
            f"{what:<44} {duration(ours):>10} {duration(theirs):>10} {ratio(ours, theirs)} "
            f"{duration(session):>10} {ratio(ours, session)}  {extra}"
        )
    lines.append(
        "Ratios = pgschemas (path per transaction, the default) / plain single-schema Django "
        "(1.00x = no overhead), and / pgschemas with PGSCHEMAS_SESSION_SEARCH_PATH (path per "
        "session); commands include Python start-up; tenant creation is the median of single "
        "creations."
    )
    return "\n".join(lines)


def against_table(rows: dict[str, Any], earlier: str) -> str:
    lines = [
        "{:<44} {:>10} {:>10} {:>7} {:>10} {:>7}  {}".format(
            "what", "this tree", "earlier", "ratio", "plain", "ratio", "statements"
        )
    ]
    for label, what in ROWS:
        if label in rows:
            row = rows[label]
            ours, theirs, plain = row["pgschemas"], row["earlier"], row["plain"]
            trips = row["round_trips"]
            lines.append(
                f"{what:<44} {duration(ours):>10} {duration(theirs):>10} {ratio(ours, theirs)} "
                f"{duration(plain):>10} {ratio(ours, plain)}  {trips[0]:.2f} / {trips[1]:.2f}"
            )
    lines.append(
        f"Ratios = this tree's bake / the earlier bake ({earlier}; 1.00x = the difference costs "
        "nothing), and / plain single-schema Django of this tree; statements: this tree / the "
        "earlier bake."
    )
    return "\n".join(lines)


def ratio(ours: float, theirs: float | None) -> str:
    return f"{ours / theirs:>6.2f}x" if theirs else "      -"


def duration(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    if seconds < 1e-3:
        return f"{seconds * 1e6:.0f} us"
    if seconds < 1:
        return f"{seconds * 1e3:.1f} ms"
    return f"{seconds:.2f} s"


if __name__ == "__main__":
    sys.exit(main())
