"""Real services for the template tests: a PostgreSQL server to use, free ports."""

import socket
from dataclasses import dataclass
from urllib.parse import quote

import psycopg2


@dataclass(frozen=True)
class PostgresServer:
    host: str  # a name, an address or a socket folder
    port: int
    user: str
    password: str

    def connect(self, dbname: str):
        return psycopg2.connect(
            host=self.host, port=self.port, user=self.user, password=self.password, dbname=dbname
        )

    def url(self, dbname: str) -> str:
        password = f":{quote(self.password, safe='')}" if self.password else ""
        credentials = f"{quote(self.user, safe='')}{password}"
        if self.host.startswith("/"):  # a socket folder goes in the path (django-environ)
            return f"postgres://{credentials}@:{self.port}/{quote(self.host)}/{dbname}"
        return f"postgres://{credentials}@{self.host}:{self.port}/{dbname}"


def answers(host: str, port: int) -> bool:
    try:
        socket.create_connection((host, port), 2).close()
    except OSError:
        return False
    return True


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
