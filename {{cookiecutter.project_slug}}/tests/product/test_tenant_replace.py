"""Restore a customer in place (``importtenant --replace``): the archive's data swapped in by
renames, the old schema kept, other tenants served throughout.

Committed data throughout (``archived``): pg_dump, psql and the live server use connections of
their own.
"""

import threading
from collections import Counter
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import Client as HttpClient

from shared_app.models import Client
from shared_app.tenant_export import export_tenant
from shared_app.tenant_import import replace_tenant, replaced_schemas
from tenant_app.models import Project

from ..conftest import TENANTS, fetch, host, secret_of
from ..factories import ProjectFactory, UserFactory
from .archives import (
    SOURCE,
    media_of,
    repack,
    schemas_like,
    sequence_values,
    table_rows,
    with_manifest,
)


def change_everything(tenant: Client, media_root: Path) -> None:
    with tenant:
        Project.objects.update(name="changed after the export")
        ProjectFactory(name="added after the export")
        get_user_model().objects.filter(email="ann@archived.test").delete()
    (media_root / SOURCE / "notes.txt").write_bytes(b"overwritten\n")
    (media_root / SOURCE / "new.txt").write_bytes(b"new\n")


def test_replace_puts_back_every_row_sequence_and_file_and_keeps_the_old_schema(
    archived, archive, settings
):
    tenant, _ = archived
    root = Path(settings.MEDIA_ROOT)
    rows, sequences, files = table_rows(SOURCE), sequence_values(SOURCE), media_of(root, SOURCE)
    change_everything(tenant, root)
    changed_rows, changed_files = table_rows(SOURCE), media_of(root, SOURCE)

    kept = replace_tenant(archive, schema_name=SOURCE)

    assert table_rows(SOURCE) == rows
    assert sequence_values(SOURCE) == sequences
    assert media_of(root, SOURCE) == files
    assert kept.startswith("_replaced_") and kept.endswith(f"_{SOURCE}")
    assert table_rows(kept) == changed_rows
    assert media_of(root, kept) == changed_files
    assert schemas_like(r"\_restoring\_%") == []
    assert replaced_schemas(SOURCE) == [kept] and replaced_schemas("acme") == []
    assert Client.objects.get(schema_name=SOURCE).pk == tenant.pk  # the same customer row
    with tenant:
        http = HttpClient(headers={"host": host(SOURCE)})
        http.force_login(UserFactory(email="viewer@archived.test"))
    page = http.get("/").content.decode()
    assert "archived project 1" in page and "changed after the export" not in page


def test_a_failed_replace_leaves_the_tenant_as_it_was(archived, archive, settings, tmp_path):
    tenant, _ = archived
    root = Path(settings.MEDIA_ROOT)
    change_everything(tenant, root)
    rows, files = table_rows(SOURCE), media_of(root, SOURCE)
    bad = repack(archive, tmp_path / "bad.tar.gz", with_manifest(row_counts=lambda c: {}))

    with pytest.raises(CommandError, match="do not hold the rows the manifest lists"):
        call_command("importtenant", str(bad), f"--schema={SOURCE}", "--replace")

    assert table_rows(SOURCE) == rows
    assert media_of(root, SOURCE) == files
    assert schemas_like(r"\_re%") == []
    assert sorted(p.name for p in root.iterdir()) == [SOURCE]


def test_replacing_an_unknown_tenant_is_a_clear_error(archive):
    with pytest.raises(CommandError, match="No tenant has the schema 'nobody'"):
        call_command("importtenant", str(archive), "--schema=nobody", "--replace")


def test_other_tenants_are_served_without_errors_while_a_tenant_is_replaced(
    archived, member_cookies, live_server_url, settings, tmp_path
):
    """Two other tenants and the replaced one itself are requested throughout the replace.

    The replaced tenant shows its projects all before the export's or all after: one page
    never mixes the two (the session is in both, as it was made before the export).
    """
    tenant, _ = archived
    cookies = member_cookies(*TENANTS, SOURCE)
    archive = tmp_path / "live.tar.gz"
    export_tenant(SOURCE, archive)  # with the member's session in it
    with tenant:
        Project.objects.update(name="changed after the export")
    old = {"archived project 1", "archived project 2"}
    hosts = [host(name) for name in (*TENANTS, SOURCE)]
    outcomes: Counter[str] = Counter()
    problems: list[str] = []
    done = threading.Event()
    lock = threading.Lock()

    def hammer(worker: int) -> None:
        round_ = after_the_swap = 0
        while not done.is_set() or after_the_swap < len(hosts):  # each host once more after it
            after_the_swap += done.is_set()
            hostname = hosts[(worker + round_) % len(hosts)]
            round_ += 1
            status, body = fetch(live_server_url, hostname, cookies[hostname])
            secrets_seen = [name for name in TENANTS if secret_of(name) in body]
            expected = [name for name in TENANTS if hostname == host(name)]
            outcome = f"{hostname} {status}"
            if hostname == host(SOURCE):
                seen_old = {name for name in old if name in body}
                mixed = "changed after the export" in body and seen_old
                outcome += " restored" if seen_old == old else " live"
                if status != 200 or mixed or seen_old not in (set(), old) or secrets_seen:
                    problems.append(f"{hostname}: {status}, old projects {seen_old}")
            elif status != 200 or secrets_seen != expected:
                problems.append(f"{hostname}: {status}, saw {secrets_seen}")
            with lock:
                outcomes[outcome] += 1

    workers = [threading.Thread(target=hammer, args=(n,)) for n in range(4)]
    for worker in workers:
        worker.start()
    try:
        replace_tenant(archive, schema_name=SOURCE)
    finally:
        done.set()
        for worker in workers:
            worker.join()

    assert problems == []
    assert outcomes[f"{host(SOURCE)} 200 restored"] > 0  # requests reached it after the swap
    assert sum(n for outcome, n in outcomes.items() if outcome.startswith(host("acme"))) > 0
    assert sum(n for outcome, n in outcomes.items() if outcome.startswith(host("globex"))) > 0
