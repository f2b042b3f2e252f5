"""A workspace's custom domains in its archive: exported with their state and token, back as
pending after a restore (served again only once a DNS check finds the token), a name another
workspace holds now skipped and reported, --replace leaving the live domains alone, and
archives made before custom domains were archived still restored.

Committed data, as in test_tenant_archive (``archived``): pg_dump and psql use connections of
their own. Rows a test adds to acme are removed by the test.
"""

import io
import json
import tarfile
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

from pgschemas.states import Status
from shared_app import lifecycle
from shared_app.archive_format import ArchiveError
from shared_app.custom_domains import add, check, make_primary, remove
from shared_app.models import Client, CustomDomain, Domain, OperatorAction
from shared_app.tenant_export import export_tenant, newest_archive
from shared_app.tenant_import import import_tenant, replace_tenant

from ..conftest import host
from .archives import SOURCE, repack, table_rows
from .test_custom_domains import needs_dnsmasq, publish, tls_ask, verified

PRIMARY = "app.archived.test"
WAITING = "new.archived.test"
OPERATOR = "ops@example.com"


def imported(archive: Path, schema_name: str, domain: str) -> tuple[str, str]:
    """importtenant's output and its errors."""
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "importtenant", str(archive), f"--schema={schema_name}", f"--domain={domain}",
        stdout=out, stderr=err,
    )  # fmt: skip
    return out.getvalue(), err.getvalue()


def purged(tenant: Client, settings, tmp_path: Path) -> Path:
    """Delete ``tenant`` and purge it as beat would; return the archive the purge kept."""
    settings.PGSCHEMAS_PURGE_EXPORT = "shared_app.tenant_export.archive_before_purge"
    settings.TENANT_ARCHIVES_DIR = tmp_path / "archives"
    lifecycle.delete(tenant, by=OPERATOR, reason="left")
    Client.objects.filter(pk=tenant.pk).update(purge_after=timezone.now() - timedelta(minutes=1))
    call_command("purgetenants", stdout=io.StringIO())
    archive = newest_archive(SOURCE)
    assert archive is not None
    return archive


@pytest.fixture
def with_domains(archived):
    """``archived`` served primarily at a verified custom domain, with another one pending."""
    tenant, made = archived
    make_primary(verified(tenant, PRIMARY))
    add(tenant, WAITING)
    yield tenant, made
    OperatorAction.objects.filter(schema_name=SOURCE).delete()


def test_a_purged_workspace_comes_back_with_its_custom_domains_pending_and_not_served(
    with_domains, settings, tmp_path
):
    before = {c.domain: c for c in CustomDomain.objects.filter(tenant__schema_name=SOURCE)}
    rows = table_rows(SOURCE)
    archive = purged(with_domains[0], settings, tmp_path)
    assert not CustomDomain.objects.filter(domain__in=before).exists()
    with tarfile.open(archive) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))
    assert manifest["format"] == 2
    assert [(d["domain"], d["status"], d["is_primary"]) for d in manifest["custom_domains"]] == [
        (PRIMARY, "verified", True),
        (WAITING, "pending", False),
    ]
    started = timezone.now()

    out, err = imported(archive, SOURCE, host(SOURCE))

    assert err == ""
    assert (
        "Custom domains restored as pending, served again once a DNS check finds their record: "
        f"{PRIMARY}, {WAITING}."
    ) in out
    assert f"{PRIMARY} was the primary domain: an owner can make it primary again" in out
    restored = Client.objects.get(schema_name=SOURCE)
    assert (restored.status, restored.purge_after) == (Status.ACTIVE, None)  # not purged again
    assert table_rows(SOURCE) == rows
    back = {c.domain: c for c in restored.custom_domains.all()}
    assert set(back) == {PRIMARY, WAITING}
    for name, custom in back.items():
        assert custom.status == CustomDomain.Status.PENDING
        assert custom.token == before[name].token  # a record still published verifies it
        assert custom.created_at == before[name].created_at
        assert custom.verified_at == before[name].verified_at
        assert custom.pending_since >= started  # PENDING_DAYS from the restore
        assert (custom.checked_at, custom.missing_since) == (None, None)
    assert back[PRIMARY].verified_at is not None
    # Served at the sub-domain only: no Domain row, no certificate for the custom domains.
    assert list(restored.domains.values_list("domain", "is_primary")) == [(host(SOURCE), True)]
    assert tls_ask(PRIMARY) == tls_ask(WAITING) == 404
    assert tls_ask(host(SOURCE)) == 200


@needs_dnsmasq
def test_a_restored_domain_whose_record_is_still_published_is_served_after_its_check(
    with_domains, dns_server, settings, tmp_path
):
    archive = purged(with_domains[0], settings, tmp_path)
    imported(archive, SOURCE, host(SOURCE))
    custom = CustomDomain.objects.get(domain=PRIMARY)
    publish(dns_server, custom)

    assert check(custom).found is True

    custom.refresh_from_db()
    assert custom.status == CustomDomain.Status.VERIFIED
    assert Domain.objects.get(domain=PRIMARY).tenant.schema_name == SOURCE
    assert tls_ask(PRIMARY) == 200
    assert CustomDomain.objects.get(domain=WAITING).status == CustomDomain.Status.PENDING


def test_names_other_workspaces_hold_now_are_skipped_and_reported_the_rest_restored(
    with_domains, tmp_path
):
    tenant, made = with_domains
    verified(tenant, "other.archived.test")
    archive = tmp_path / "a.tar.gz"
    export_tenant(SOURCE, archive)
    for custom in CustomDomain.objects.filter(tenant=tenant):
        remove(custom)  # the names are free again ...
    acme = Client.objects.get(schema_name="acme")
    taken = add(acme, WAITING)  # ... and acme claims one, and serves another
    served = Domain.objects.create(tenant=acme, domain="other.archived.test")
    made.append("archived_copy")

    try:
        out, err = imported(archive, "archived_copy", "copy.example.com")

        assert f"record: {PRIMARY}." in out
        assert err.splitlines() == [
            "Custom domain new.archived.test not restored: it is a custom domain of the "
            "workspace 'acme'.",
            "Custom domain other.archived.test not restored: it is a domain of the workspace "
            "'acme'.",
        ]
        copy = Client.objects.get(schema_name="archived_copy")
        assert list(copy.custom_domains.values_list("domain", "status")) == [
            (PRIMARY, CustomDomain.Status.PENDING)
        ]
        assert CustomDomain.objects.get(domain=WAITING).tenant == acme
        assert Domain.objects.get(domain="other.archived.test").tenant == acme
        assert list(copy.domains.values_list("domain", flat=True)) == ["copy.example.com"]
    finally:
        taken.delete()
        served.delete()


def test_the_domain_given_to_an_import_may_not_be_a_workspace_s_custom_domain(with_domains):
    with pytest.raises(ArchiveError, match=f"{WAITING} is a workspace's custom domain"):
        import_tenant(Path("unread.tar.gz"), schema_name="archived_copy", domain=WAITING)

    assert not Client.objects.filter(schema_name="archived_copy").exists()
    assert not Domain.objects.filter(domain=WAITING).exists()


def test_replace_keeps_the_live_workspace_s_custom_domains_as_they_are(with_domains, tmp_path):
    """The archive's verified domain stopped being served since: the restore serves it not."""
    tenant, _ = with_domains
    archive = tmp_path / "a.tar.gz"
    export_tenant(SOURCE, archive)
    remove(CustomDomain.objects.get(domain=PRIMARY))
    later = add(tenant, "later.archived.test")

    replace_tenant(archive, schema_name=SOURCE)

    assert list(tenant.custom_domains.values_list("domain", "status", "token")) == [
        ("later.archived.test", CustomDomain.Status.PENDING, later.token),
        (WAITING, CustomDomain.Status.PENDING, CustomDomain.objects.get(domain=WAITING).token),
    ]
    assert list(tenant.domains.values_list("domain", "is_primary")) == [(host(SOURCE), True)]
    assert tls_ask(PRIMARY) == 404


def test_an_archive_made_before_custom_domains_were_archived_still_imports(with_domains, tmp_path):
    _, made = with_domains
    made.append("from_format_1")
    export_tenant(SOURCE, tmp_path / "now.tar.gz")

    def as_format_1(name: str, data: bytes) -> bytes:
        if name != "manifest.json":
            return data
        manifest = json.loads(data)
        del manifest["custom_domains"]
        return json.dumps({**manifest, "format": 1}).encode()

    old = repack(tmp_path / "now.tar.gz", tmp_path / "old.tar.gz", as_format_1)

    out, err = imported(old, "from_format_1", "format1.example.com")

    assert "Restored" in out and "Custom domains" not in out and err == ""
    restored = Client.objects.get(schema_name="from_format_1")
    assert table_rows("from_format_1") == table_rows(SOURCE)
    assert not restored.custom_domains.exists()
    assert list(restored.domains.values_list("domain", flat=True)) == ["format1.example.com"]
