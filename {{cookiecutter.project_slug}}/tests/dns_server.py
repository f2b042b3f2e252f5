"""A real DNS server for the tests: Debian's dnsmasq on a free loopback port, answering the TXT
records a test writes, authoritative for ``ZONE`` (a name there without a record is NXDOMAIN)."""

import random
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import dns.exception
import dns.message
import dns.query
import dns.rcode

DNSMASQ = shutil.which("dnsmasq") or shutil.which("dnsmasq", path="/usr/sbin") or ""
ZONE = "test"  # the tests' custom domains are named *.test


def free_port() -> int:
    """A loopback port free for UDP and TCP both (dnsmasq listens on both), below the ephemeral
    range: a client connection's port, given by the kernel from that range, could otherwise take
    it before dnsmasq (re)starts there ("Address already in use")."""
    for _ in range(200):
        port = random.randint(20_000, 32_000)
        try:
            for kind in (socket.SOCK_DGRAM, socket.SOCK_STREAM):
                with socket.socket(socket.AF_INET, kind) as probe:
                    probe.bind(("127.0.0.1", port))
        except OSError:
            continue
        return port
    raise RuntimeError("No free loopback port for dnsmasq between 20000 and 32000.")


class DnsServer:
    """``set_txt({name: [value, ...]})`` replaces every record and restarts the server on the
    same port (dnsmasq reads its records at start only)."""

    def __init__(self) -> None:
        self.port = free_port()
        self.folder = Path(tempfile.mkdtemp(prefix="dnsmasq-"))
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def set_txt(self, records: dict[str, list[str]]) -> None:
        lines = [
            f'txt-record={name},"{value}"' for name, values in records.items() for value in values
        ]
        config = self.folder / "dnsmasq.conf"
        config.write_text("".join(f"{line}\n" for line in lines))
        self.stop()
        self.process = subprocess.Popen(
            [
                DNSMASQ,
                "--keep-in-foreground",
                f"--conf-file={config}",
                f"--port={self.port}",
                "--listen-address=127.0.0.1",
                "--bind-interfaces",
                "--no-resolv",
                "--no-hosts",
                "--no-poll",
                f"--local=/{ZONE}/",
                "--pid-file=",
                "--user=root",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        self._wait_until_answering()

    def _wait_until_answering(self) -> None:
        deadline = time.monotonic() + 10
        query = dns.message.make_query(f"probe.{ZONE}", "TXT")
        while True:
            assert self.process is not None
            if self.process.poll() is not None:
                raise RuntimeError(f"dnsmasq exited: {self.process.stderr.read().decode()}")  # type: ignore[union-attr]
            try:
                reply = dns.query.udp(query, "127.0.0.1", port=self.port, timeout=0.2)
            except (dns.exception.Timeout, OSError):
                if time.monotonic() > deadline:
                    raise
                continue
            if reply.rcode() in (dns.rcode.NXDOMAIN, dns.rcode.NOERROR):
                return

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)
