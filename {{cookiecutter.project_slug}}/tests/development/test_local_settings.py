"""config/settings/local.py: what development serves, read from a process that runs on those
settings (importing them here would change the test settings' TENANTS, which they share)."""

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from urllib.parse import quote, urlencode

import pytest
from django.db import connection

from shared_app.models import Client, CustomDomain, Domain

from ..processes import PROJECT_ROOT
from ..product.test_custom_domains import verified

STATUS_CODES = """
import json, sys
import django
django.setup()
from django.test import Client
print(json.dumps([Client().get("/accounts/login/", headers={"host": h}).status_code
                  for h in sys.argv[1:]]))
"""


def status_codes_on_local_settings(*hosts: str) -> list[int]:
    """GET /accounts/login/ at each host, through the whole middleware, on the local settings
    and the test database."""
    db = connection.settings_dict
    # The server in the query: a host may be the embedded server's socket folder, not a name.
    server = urlencode({"host": db["HOST"], "port": db["PORT"]})
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DJANGO_SECRET_KEY": "local-settings-test-key",  # else one is written to .env
        "DATABASE_URL": (
            f"postgres://{quote(db['USER'] or '')}:{quote(db['PASSWORD'] or '')}@/"
            f"{db['NAME']}?{server}"
        ),
    }
    run = subprocess.run(
        [sys.executable, "-c", STATUS_CODES, *hosts],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    codes: list[int] = json.loads(run.stdout.splitlines()[-1])
    return codes


@pytest.fixture
def served_custom_domain(committed_db) -> Iterator[str]:
    """acme's verified custom domain, committed (the other process reads it); removed after."""
    custom = verified(Client.objects.get(schema_name="acme"))
    yield custom.domain
    Domain.objects.filter(domain=custom.domain).delete()
    CustomDomain.objects.filter(pk=custom.pk).delete()


@pytest.mark.processes
def test_local_settings_allow_a_served_custom_domain_and_refuse_unknown_hosts(
    served_custom_domain,
):
    codes = status_codes_on_local_settings(served_custom_domain, "unknown.test", "localhost")

    assert codes == [200, 400, 200]  # localhost: www, as DJANGO_ALLOWED_HOSTS lists it
