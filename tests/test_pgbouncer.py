"""Behind a real PgBouncer, no page shows another tenant's rows, in session and transaction mode.

Bakes the defaults, migrates a database of its own (on DATABASE_URL's server, else on
127.0.0.1:5432 when it answers, else on the bake's embedded server), puts one PgBouncer in front
of it with a session-pooled and a transaction-pooled alias, and serves the project with gunicorn
(several worker processes with threads, production settings) while client threads request pages
of alternating tenants; also two servers at once sharing the transaction pooler, and the opt-in
session form of the path (refused behind any pooler, however busy). Prints requests, cross-tenant
reads, errors and the time per request of each mode, and the ratio of transaction to session
pooling; asserts only correctness.
"""

import http.client
import os
import pwd
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
from harness import (
    PostgresServer,
    answers,
    free_port,
    log_in_members_code,
    manage,
    member_cookies,
    production_env,
    served,
    wait_until,
)

TENANTS = ("t1", "t2", "t3", "t4")
REQUESTS = 10_000
SHARED_REQUESTS = 2_000  # per server, when two share the pooler
CLIENT_THREADS = 8
WORKERS, THREADS = "3", "4"
CREATE_TENANTS = """
from django.conf import settings
from shared_app.models import Client, Domain
from tenant_app.models import Project
for name in {names!r}:
    tenant = Client.objects.create(schema_name=name, name=name.upper())
    Domain.objects.create(tenant=tenant, domain=f"{{name}}.{{settings.DOMAIN_NAME}}")
    with tenant:  # the secret plan alone, without the projects a new workspace starts with
        Project.objects.all().delete()
        Project.objects.create(name=f"{{name}} secret plan")
"""

# A server-side cursor (QuerySet.iterator()) in a transaction, then outside one.
ITERATE_PROJECTS = """
from django.db import transaction
from pgschemas.postgresql_backend.pooling import PoolerError
from shared_app.models import Client
from tenant_app.models import Project
with Client.objects.get(schema_name="t1"):
    with transaction.atomic():
        print(*(project.name for project in Project.objects.iterator()))
    try:
        list(Project.objects.iterator())
    except PoolerError:
        print("PoolerError")
"""


@dataclass
class Load:
    requests: int = 0
    cross_tenant_reads: int = 0
    errors: int = 0
    seconds: float = 0.0

    @property
    def us_per_request(self) -> float:
        return self.seconds / self.requests * 1e6


def secret(name: str) -> str:
    return f"{name} secret plan"


@pytest.fixture(scope="module")
def plain_http_env(redis_url):
    """Production settings answering plain HTTP (these tests request no HTTPS page), with a real
    Redis for the cache (a workspace's pages read their security policy from it)."""

    def make(database_url: str, **extra: str) -> dict[str, str]:
        return production_env(
            database_url, DJANGO_SECURE_SSL_REDIRECT="false", REDIS_URL=redis_url, **extra
        )

    return make


@pytest.fixture(scope="module")
def database(default_bake, postgres_server, plain_http_env) -> Iterator[str]:
    """A database of this test's own, migrated, with the tenants and one secret row each."""
    name = f"pgschemas_pgbouncer_{secrets.token_hex(4)}"
    admin = postgres_server.connect("postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    try:
        env = plain_http_env(postgres_server.url(name))
        for args in (
            ["migrateschema", "-v", "0"],
            ["collectstatic", "--noinput", "-v", "0"],  # production serves hashed static files
            ["shell", "-c", CREATE_TENANTS.format(names=TENANTS)],
        ):
            result = manage(default_bake, env, *args)
            assert result.returncode == 0, result.stdout + result.stderr
        yield name
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        admin.close()


@pytest.fixture(scope="module")
def cookies(default_bake, postgres_server, database, plain_http_env) -> dict[str, str]:
    """Every page of a workspace needs a logged-in member: a session cookie per tenant."""
    env = plain_http_env(postgres_server.url(database))
    result = manage(default_bake, env, "shell", "-c", log_in_members_code(TENANTS))
    assert result.returncode == 0, result.stdout + result.stderr
    return member_cookies(result.stdout)


@pytest.fixture(scope="module")
def pgbouncer(postgres_server, database) -> Iterator[int]:
    """One PgBouncer on a free port: alias "session" (session pooling), "transaction"."""
    binary = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"
    if not Path(binary).exists():
        pytest.fail("PgBouncer is not installed: apt-get install pgbouncer (see .ci/run)")
    folder = Path(tempfile.mkdtemp(prefix="pgschemas-pgbouncer-"))
    folder.chmod(0o755)  # PgBouncer drops root for another user
    port = free_port()
    server = postgres_server
    target = f"host={server.host} port={server.port} user={server.user} dbname={database}"
    if server.password:
        target += f" password={server.password}"
    (folder / "users.txt").write_text(f'"{server.user}" ""\n')
    (folder / "pgbouncer.ini").write_text(
        "[databases]\n"
        # Session pooling needs a server connection per client; transaction pooling shares
        # a few between every worker thread, the case where a session's path would leak.
        f"session = {target} pool_mode=session pool_size=20\n"
        f"transaction = {target} pool_mode=transaction pool_size=3\n"
        "[pgbouncer]\n"
        f"listen_addr = 127.0.0.1\nlisten_port = {port}\nunix_socket_dir =\n"
        f"auth_type = trust\nauth_file = {folder / 'users.txt'}\n"
        "max_client_conn = 200\n"
        "ignore_startup_parameters = extra_float_digits\n"
    )
    for path in folder.iterdir():
        path.chmod(0o644)
    command = [binary, str(folder / "pgbouncer.ini")]
    if os.geteuid() == 0:  # PgBouncer refuses to run as root: the socket's owner, or nobody
        owner = server.host.startswith("/") and pwd.getpwuid(Path(server.host).stat().st_uid)
        command[1:1] = ["-u", owner.pw_name if owner else "nobody"]
    log = (folder / "pgbouncer.log").open("w")
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_until(lambda: answers("127.0.0.1", port), "PgBouncer", process, timeout=30)
        yield port
    finally:
        process.terminate()
        process.wait(30)
        log.close()
        shutil.rmtree(folder, ignore_errors=True)


def through(server: PostgresServer, port: int, alias: str) -> str:
    return f"postgres://{server.user}@127.0.0.1:{port}/{alias}"


def gunicorn(project: Path, env: dict[str, str], workers: str = WORKERS):
    """gunicorn serving the project on a free port until the block ends (SIGINT: quick exit)."""
    port = free_port()
    command = [sys.executable, "-m", "gunicorn", "config.wsgi", "--workers", workers]
    command += ["--threads", THREADS, "--bind", f"127.0.0.1:{port}", "--no-control-socket"]
    log = project / f"gunicorn-{port}.log"
    return served(command, port, cwd=project, env=env, log=log, what="gunicorn", how=signal.SIGINT)


def get(connection: http.client.HTTPConnection, name: str, cookie: str = "") -> tuple[int, str]:
    connection.request("GET", "/", headers={"Host": f"{name}.example.com", "Cookie": cookie})
    response = connection.getresponse()
    return response.status, response.read().decode()


def hammer(port: int, total: int, cookies: dict[str, str]) -> Load:
    """``total`` timed requests from CLIENT_THREADS keep-alive clients, tenants in turn, each as
    that tenant's member."""
    requests(port, 20 * CLIENT_THREADS, cookies)  # warm up every worker's connection and routing
    started = time.perf_counter()
    load = requests(port, total, cookies)
    load.seconds = time.perf_counter() - started
    return load


def requests(port: int, total: int, cookies: dict[str, str]) -> Load:
    def client(first: int) -> Load:
        load = Load()
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        for number in range(first, total, CLIENT_THREADS):
            name = TENANTS[number % len(TENANTS)]
            status, body = get(connection, name, cookies[name])
            load.requests += 1
            load.errors += status != 200 or secret(name) not in body
            load.cross_tenant_reads += any(secret(o) in body for o in TENANTS if o != name)
        connection.close()
        return load

    with ThreadPoolExecutor(CLIENT_THREADS) as pool:
        loads = list(pool.map(client, range(CLIENT_THREADS)))
    return Load(
        requests=sum(load.requests for load in loads),
        cross_tenant_reads=sum(load.cross_tenant_reads for load in loads),
        errors=sum(load.errors for load in loads),
    )


def hammer_together(ports: list[int], total: int, cookies: dict[str, str]) -> list[Load]:
    """``hammer`` on every server at once: they share the pooler's server connections."""
    with ThreadPoolExecutor(len(ports)) as pool:
        return list(pool.map(lambda port: hammer(port, total, cookies), ports))


def test_default_settings_never_leak_behind_a_transaction_pooler_shared_with_other_clients(
    default_bake, postgres_server, pgbouncer, cookies, plain_http_env
):
    """Regression: a server without the pooling setting passed the pooler check whenever another
    client took the server connection in between, then showed other tenants' rows (issue 22)."""
    env = plain_http_env(through(postgres_server, pgbouncer, "transaction"))
    with gunicorn(default_bake, env, "2") as first, gunicorn(default_bake, env, "2") as second:
        loads = hammer_together([first, second], SHARED_REQUESTS, cookies)

    for load in loads:
        assert load.requests == SHARED_REQUESTS
        assert (load.cross_tenant_reads, load.errors) == (0, 0)


def test_session_search_path_is_refused_behind_a_pooler_even_while_it_is_busy(
    default_bake, postgres_server, database, pgbouncer, cookies, plain_http_env
):
    """The opt-in session form needs a direct connection: refused behind either pooler, whatever
    other clients do meanwhile, and never serves a page."""
    transaction = through(postgres_server, pgbouncer, "transaction")
    session_env = plain_http_env(transaction, PGSCHEMAS_SESSION_SEARCH_PATH="true")
    busy_env = plain_http_env(transaction)

    with gunicorn(default_bake, busy_env, "2") as busy, gunicorn(default_bake, session_env) as port:
        with ThreadPoolExecutor(1) as pool:
            background = pool.submit(hammer, busy, SHARED_REQUESTS, cookies)
            check = manage(default_bake, session_env, "check", "--database", "default")
            load = requests(port, SHARED_REQUESTS // 4, cookies)
            other = background.result()

    assert check.returncode == 1
    assert "pgschemas.E005" in check.stderr and "PGSCHEMAS_SESSION_SEARCH_PATH" in check.stderr
    assert load.cross_tenant_reads == 0 and load.errors == load.requests  # every page refused
    assert (other.cross_tenant_reads, other.errors) == (0, 0)
    checks = {}
    for url in (through(postgres_server, pgbouncer, "session"), postgres_server.url(database)):
        env = plain_http_env(url, PGSCHEMAS_SESSION_SEARCH_PATH="true")
        checks[url] = manage(default_bake, env, "check", "--database", "default").returncode
    assert list(checks.values()) == [1, 0]  # a session pooler is refused too; direct is fine


def test_a_statement_that_cannot_carry_the_path_is_refused_behind_a_pooler_outside_atomic(
    default_bake, postgres_server, pgbouncer, plain_http_env
):
    """A server-side cursor's DECLARE cannot carry SET LOCAL; a SET alone might run elsewhere."""
    env = plain_http_env(through(postgres_server, pgbouncer, "transaction"))

    result = manage(default_bake, env, "shell", "-v", "0", "-c", ITERATE_PROJECTS)

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["t1", "secret", "plan", "PoolerError"]


def test_no_cross_tenant_read_behind_pgbouncer_in_session_and_transaction_mode(
    default_bake, postgres_server, pgbouncer, cookies, plain_http_env
):
    loads = {}
    for mode in ("session", "transaction"):
        env = plain_http_env(through(postgres_server, pgbouncer, mode))
        with gunicorn(default_bake, env) as port:
            loads[mode] = hammer(port, REQUESTS, cookies)

    print(
        f"\nPgBouncer, gunicorn {WORKERS} workers x {THREADS} threads, "
        f"{CLIENT_THREADS} clients, {len(TENANTS)} tenants in turn:"
    )
    for mode, load in loads.items():
        print(
            f"  {mode:<11} pooling: {load.requests} requests, {load.cross_tenant_reads} "
            f"cross-tenant reads, {load.errors} errors, {load.us_per_request:.0f} us/request"
        )
    ratio = loads["transaction"].us_per_request / loads["session"].us_per_request
    print(f"  transaction / session: {ratio:.2f}x")
    for load in loads.values():
        assert load.requests == REQUESTS
        assert (load.cross_tenant_reads, load.errors) == (0, 0)
