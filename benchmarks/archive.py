"""Export and in-place restore of one customer with 100,000 rows and 100 media files.

    python benchmarks/archive.py [--rows 100000] [--files 100]   (template root)

Bakes the template, creates three customers on a database of its own (on the server of the
baked project's test settings: DATABASE_URL's, or the embedded one), fills the first with rows
spread over its tables and with media files, then times `manage.py exporttenant` and
`manage.py importtenant --replace` (wall time, Python start-up included), the restore once alone
and once under traffic: while it runs, threads request a page of the two other customers from a
gunicorn server, as they did for as long before it; the p99 latency of both windows and the
errors are printed. Information only.
"""

import argparse
import atexit
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

from run import (
    DOMAIN,
    BenchmarkError,
    bake,
    command_env,
    databases,
    manage,
    project_database,
)

FILL = """
from django.db import connection
from shared_app.models import Client
rows = {rows}
with Client.objects.get(schema_name="c1"), connection.cursor() as cursor:
    cursor.execute(
        "INSERT INTO tenant_app_project (name, description, created_at) "
        "SELECT 'project ' || n, repeat('x', 100), now() FROM generate_series(1, %s) n",
        [rows * 6 // 10],
    )
    cursor.execute(
        "INSERT INTO tenant_app_invitation (email, created_at) "
        "SELECT 'person' || n || '@example.com', now() FROM generate_series(1, %s) n",
        [rows * 3 // 10],
    )
    cursor.execute(
        "INSERT INTO tenant_app_usedhandovertoken (nonce, used_at) "
        "SELECT md5(n::text), now() FROM generate_series(1, %s) n",
        [rows - rows * 6 // 10 - rows * 3 // 10],
    )
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--files", type=int, default=100)
    options = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="pgschemas-archive-bench-"))
    atexit.register(shutil.rmtree, scratch, ignore_errors=True)
    project = bake(scratch)
    server = project_database(project)
    media = scratch / "media"
    with databases(server) as (name, _, version):
        env = {**command_env(project, server, name), "DJANGO_MEDIA_ROOT": str(media)}
        try:
            manage(project, env, "pgschemas", "migrateschema", "-v", "0")
            manage(
                project,
                env,
                "pgschemas",
                "createtenants",
                "3",
                "--prefix",
                "c",
                "--domain",
                DOMAIN,
                "-v",
                "0",
            )
            manage(project, env, "pgschemas", "shell", "-c", FILL.format(rows=options.rows))
        except BenchmarkError as error:
            print(error, file=sys.stderr)
            return 1
        for number in range(options.files):
            (media / "c1" / "files").mkdir(parents=True, exist_ok=True)
            (media / "c1" / "files" / f"{number}.bin").write_bytes(secrets.token_bytes(50_000))
        archive = scratch / "c1.tar.gz"
        startup = manage(project, env, "pgschemas", "check")
        export = manage(project, env, "pgschemas", "exporttenant", "c1", "-o", str(archive))
        replace = ["importtenant", str(archive), "--schema", "c1", "--replace"]
        quiet = manage(project, env, "pgschemas", *replace)
        with gunicorn(project, env) as port:
            hosts = [f"c2.{DOMAIN}", f"c3.{DOMAIN}"]
            before = load(port, hosts, lambda: time.sleep(max(export, 5)))
            timed: list[float] = []
            during = load(
                port,
                hosts,
                lambda: timed.append(manage(project, env, "pgschemas", *replace)),
            )
    print(
        f"PostgreSQL {version}; {options.rows} rows, {options.files} media files of 50 KB; "
        f"archive {archive.stat().st_size / 1e6:.1f} MB"
    )
    print(f"manage.py check (start-up alone)   {startup:6.2f} s")
    print(f"exporttenant                       {export:6.2f} s")
    print(f"importtenant --replace             {quiet:6.2f} s")
    print(f"importtenant --replace, traffic    {timed[0]:6.2f} s")
    for label, (latencies, errors) in (("without restore", before), ("during restore", during)):
        p99 = statistics.quantiles(latencies, n=100)[98] * 1000
        print(
            f"other tenants {label:16} {len(latencies):5} requests, p99 {p99:6.1f} ms, "
            f"{errors} errors"
        )
    ratio = statistics.quantiles(during[0], n=100)[98] / statistics.quantiles(before[0], n=100)[98]
    print(f"p99 ratio during / without         {ratio:6.2f}")
    return 0


class gunicorn:
    """A gunicorn server of the bake on a free port (2 workers, 4 threads each)."""

    def __init__(self, project: Path, env: dict[str, str]) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        command = [
            str(Path(sys.executable).parent / "gunicorn"),
            "config.wsgi:application",
            "--bind",
            f"127.0.0.1:{self.port}",
            "--workers",
            "2",
            "--threads",
            "4",
        ]
        settings = {**env, "DJANGO_SETTINGS_MODULE": "pgschemas_settings"}
        self.process = subprocess.Popen(
            command, cwd=project, env=settings, stderr=subprocess.DEVNULL
        )

    def __enter__(self) -> int:
        for _ in range(300):
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return self.port
            except OSError:
                time.sleep(0.1)
        raise BenchmarkError("gunicorn did not start")

    def __exit__(self, *exc: object) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


def load(port: int, hosts: list[str], while_running) -> tuple[list[float], int]:
    """Latencies and errors of requests to ``hosts`` by 4 threads while ``while_running()``."""
    latencies: list[float] = []
    errors = [0]
    first_error: list[str] = []
    done = threading.Event()

    def hammer(worker: int) -> None:
        number = worker
        while not done.is_set():
            request = urllib.request.Request(
                f"http://127.0.0.1:{port}/accounts/login/",
                headers={"Host": hosts[number % len(hosts)]},
            )
            number += 1
            start = time.perf_counter()
            try:
                with urllib.request.urlopen(request, timeout=30) as response:
                    ok = response.status == 200 and b"Log in to" in response.read()
                    problem = f"{response.status} without the log-in form"
            except (urllib.error.URLError, OSError) as error:
                ok, problem = False, repr(error)
            latencies.append(time.perf_counter() - start)
            errors[0] += not ok
            if not ok and not first_error:
                first_error.append(problem)
                print(f"first error: {problem}", file=sys.stderr)

    threads = [threading.Thread(target=hammer, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    try:
        while_running()
    finally:
        done.set()
        for thread in threads:
            thread.join()
    return latencies, errors[0]


if __name__ == "__main__":
    sys.exit(main())
