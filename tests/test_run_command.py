"""The README's run command: bake, migrate, seed and serve, then answer on the three URLs."""

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import psutil
import pytest
from harness import ROOT, free_port


def get(port: int, host: str, path: str = "/") -> tuple[int, str]:
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={"Host": host})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def as_in_a_terminal() -> None:
    """Ctrl+C and a closed terminal reach dev.py even when this test run ignores them (nohup, a
    background job), as they do when a person starts it in a terminal."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGHUP, signal.SIG_DFL)


def start(folder: Path, port: int) -> subprocess.Popen:
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    return subprocess.Popen(
        [sys.executable, str(ROOT / "dev.py"), "run", str(folder), "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
        preexec_fn=as_in_a_terminal,
    )


def wait_until_serving(process: subprocess.Popen, port: int, deadline: float = 240) -> None:
    stop_at = time.monotonic() + deadline
    while time.monotonic() < stop_at:
        if process.poll() is not None:
            pytest.fail(f"dev.py run exited with {process.returncode}:\n{process.stdout.read()}")
        try:
            get(port, f"localhost:{port}")
            return
        except OSError:
            time.sleep(0.5)
    pytest.fail("dev.py run did not serve within the deadline")


def stop(process: subprocess.Popen) -> str:
    os.killpg(process.pid, signal.SIGINT)  # Ctrl+C: runserver's reloader and its child
    try:
        output, _ = process.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        output, _ = process.communicate()
    return output


def postgres_serving(data_dir: Path) -> bool:
    return any(
        str(data_dir) in " ".join(proc.info["cmdline"] or [])
        for proc in psutil.process_iter(["name", "cmdline"])
        if proc.info["name"] == "postgres"
    )


def wait_until_postgres_stopped(data_dir: Path, deadline: float = 30) -> bool:
    stop_at = time.monotonic() + deadline
    while postgres_serving(data_dir):
        if time.monotonic() > stop_at:
            return False
        time.sleep(0.5)
    return True


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """One folder for every run of this module: the first run bakes, the others reuse it."""
    return tmp_path_factory.mktemp("run") / "site"


@pytest.mark.skipif(os.name == "nt", reason="process groups and SIGINT are POSIX")
def test_run_serves_www_blog_and_the_demo_customer_and_can_run_again(site):
    folder = site
    for attempt in ("first", "second"):
        port = free_port()
        process = start(folder, port)
        try:
            wait_until_serving(process, port)
            pages = {
                name: get(port, f"{name}:{port}")
                for name in ("localhost", "blog.localhost", "demo.localhost")
            }
            admin_status, _ = get(port, f"demo.localhost:{port}", "/admin/login/")
            signup_status, _ = get(port, f"localhost:{port}", "/signup/")
        finally:
            output = stop(process)

        assert pages["localhost"][0] == 200 and "<code>www</code>" in pages["localhost"][1], output
        assert (
            pages["blog.localhost"][0] == 200 and "<code>blog</code>" in pages["blog.localhost"][1]
        )
        # Anonymous visitors of a workspace land on its log-in page, which names it.
        assert pages["demo.localhost"][0] == 200 and "Demo Customer" in pages["demo.localhost"][1]
        assert "Log in" in pages["demo.localhost"][1]
        assert admin_status == 200 and signup_status == 200
        assert f"http://demo.localhost:{port}/" in output
        assert f"http://localhost:{port}/signup/" in output
        if attempt == "second":
            assert "Reusing the project" in output
    assert wait_until_postgres_stopped(folder / "my_saas" / ".pgdata")
    # Every process of both runs (commands, the autoreloader's two) used the key that the local
    # settings made on first use in the project's .env.
    dotenv = (folder / "my_saas" / ".env").read_text().splitlines()
    assert len([line for line in dotenv if line.startswith("DJANGO_SECRET_KEY=")]) == 1


@pytest.mark.skipif(os.name == "nt", reason="process groups and signals are POSIX")
@pytest.mark.parametrize(
    "ending",
    [
        "SIGTERM to the server's process",
        "SIGHUP to its session (terminal closed)",
        "Ctrl+C while this test run ignores SIGINT (nohup, a background job)",
    ],
)
def test_run_stops_the_embedded_server_however_it_ends(site, ending):
    port = free_port()
    ignored = signal.signal(signal.SIGINT, signal.SIG_IGN) if ending.startswith("Ctrl") else None
    try:
        process = start(site, port)
    finally:
        if ignored is not None:
            signal.signal(signal.SIGINT, ignored)
    try:
        wait_until_serving(process, port)
        if ending.startswith("SIGTERM"):
            process.send_signal(signal.SIGTERM)  # the reloader only, as a process manager would
        elif ending.startswith("SIGHUP"):
            os.killpg(process.pid, signal.SIGHUP)
        else:
            os.killpg(process.pid, signal.SIGINT)
        output, _ = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()

    assert wait_until_postgres_stopped(site / "my_saas" / ".pgdata"), output
