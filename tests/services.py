"""Real services for the template tests: a PostgreSQL server to use, free ports."""

import json
import socket
from collections.abc import Iterable
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


# Every page of a customer's workspace needs a logged-in member. Run in the baked project's
# ``manage.py shell``: a member logged in on each tenant, its session cookie printed as JSON.
LOG_IN_MEMBERS = """
import json
from django.contrib.auth import get_user_model
from django.test import Client as HttpClient
from shared_app.models import Client
cookies = {{}}
for tenant in Client.objects.filter(schema_name__in={names!r}):
    with tenant:
        http = HttpClient()
        http.force_login(get_user_model().objects.create_user(f"member@{{tenant.schema_name}}.test"))
        cookies[tenant.schema_name] = "sessionid=" + http.cookies["sessionid"].value
print(json.dumps(cookies))
"""


def log_in_members_code(tenants: Iterable[str]) -> str:
    """Code for ``manage.py shell -c``; give its output to ``member_cookies``."""
    return LOG_IN_MEMBERS.format(names=sorted(tenants))


def member_cookies(shell_output: str) -> dict[str, str]:
    """Each tenant's ``Cookie`` header value, from the output of ``log_in_members_code``."""
    return json.loads(shell_output.strip().splitlines()[-1])
