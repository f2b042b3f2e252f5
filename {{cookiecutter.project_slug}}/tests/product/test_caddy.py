"""The edge of compose.yaml for real: Debian's caddy with the project's caddy/Caddyfile (its
internal CA instead of a public one) in front of a live server, obtaining certificates on demand
for the hosts /.well-known/tls-ask allows. Requests go through curl with --resolve to loopback."""

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.utils import timezone

from shared_app.custom_domains import add, remove
from shared_app.models import Client, CustomDomain, Domain

from ..processes import PROJECT_ROOT

CADDY = shutil.which("caddy") or ""
CURL = shutil.which("curl") or ""
pytestmark = [
    pytest.mark.processes,
    pytest.mark.skipif(not CADDY, reason="no caddy: apt-get install caddy"),
    pytest.mark.skipif(not CURL, reason="no curl: apt-get install curl"),
]
VERIFIED = "app.acme-corp.test"
PENDING = "pending.acme-corp.test"
REMOVED = "old.acme-corp.test"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Edge:
    https_port: int
    root_certificate: Path

    def get(self, host: str, path: str = "/") -> subprocess.CompletedProcess[str]:
        """curl over HTTPS to ``host`` at Caddy, trusting Caddy's own CA only."""
        return subprocess.run(
            [
                CURL,
                "--silent",
                "--show-error",
                "--max-time",
                "30",
                "--resolve",
                f"{host}:{self.https_port}:127.0.0.1",
                "--cacert",
                str(self.root_certificate),
                "--write-out",
                "\n%{http_code}",
                f"https://{host}:{self.https_port}{path}",
            ],
            capture_output=True,
            text=True,
            timeout=60,
        )


@pytest.fixture
def domains(committed_db) -> Iterator[Client]:
    """acme with a verified custom domain, a pending one and one verified then removed
    (committed: the live server reads them on its own connections)."""
    acme = Client.objects.get(schema_name="acme")
    for name in (VERIFIED, REMOVED):
        custom = add(acme, name)
        CustomDomain.objects.filter(pk=custom.pk).update(
            status=CustomDomain.Status.VERIFIED, verified_at=timezone.now()
        )
        Domain.objects.create(tenant=acme, domain=name)
    add(acme, PENDING)
    remove(CustomDomain.objects.get(domain=REMOVED))
    yield acme
    for custom in CustomDomain.objects.filter(tenant=acme):
        remove(custom)


@pytest.fixture
def edge(live_server_url, tmp_path) -> Iterator[Edge]:
    https_port = free_port()
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp_path),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "CADDY_ISSUER": "internal",
        "CADDY_ADMIN": "off",
        "CADDY_UPSTREAM": urlsplit(live_server_url).netloc,
        "CADDY_HTTP_PORT": str(free_port()),
        "CADDY_HTTPS_PORT": str(https_port),
    }
    config = PROJECT_ROOT / "caddy" / "Caddyfile"
    log = tmp_path / "caddy.log"
    with log.open("w") as output:
        caddy = subprocess.Popen(
            [CADDY, "run", "--config", str(config), "--adapter", "caddyfile"],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    root = tmp_path / "data" / "caddy" / "pki" / "authorities" / "local" / "root.crt"
    try:
        deadline = time.monotonic() + 30
        while not (root.exists() and port_open(https_port)):
            if caddy.poll() is not None:
                pytest.fail(f"caddy exited: {log.read_text()}")
            if time.monotonic() > deadline:
                pytest.fail("caddy did not start within 30 seconds")
            time.sleep(0.1)
        yield Edge(https_port, root)
    finally:
        caddy.terminate()
        caddy.wait(timeout=10)


def port_open(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def test_a_verified_custom_domain_gets_a_certificate_and_the_workspaces_page(domains, edge):
    answer = edge.get(VERIFIED, "/accounts/login/")

    body, _, status = answer.stdout.rpartition("\n")
    assert answer.returncode == 0, answer.stderr
    assert status == "200" and "Acme" in body


def test_the_tls_question_is_not_answered_through_the_edge(domains, edge):
    answer = edge.get(VERIFIED, f"/.well-known/tls-ask?domain={VERIFIED}")

    assert answer.returncode == 0 and answer.stdout.endswith("\n404")


def test_an_unverified_unknown_or_removed_domain_gets_no_certificate(domains, edge):
    for host in (PENDING, "unknown.test", REMOVED):
        answer = edge.get(host, "/accounts/login/")

        assert answer.returncode == 35, (host, answer.returncode, answer.stderr)  # TLS handshake
        assert "Acme" not in answer.stdout
