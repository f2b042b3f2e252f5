"""Operator actions on a workspace's lifecycle: each checks the state it starts from, needs a
reason, and is recorded (who, when, what, why); deletion keeps the data until its purge date;
``purgetenants`` then erases schema, media and rows. The owner deletes from the settings."""

from datetime import timedelta
from io import StringIO

import pytest
from django.conf import settings as django_settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.test import Client as HttpClient
from django.utils import timezone

from config.celery_app import app
from pgschemas.availability import schema_exists
from pgschemas.states import Status
from shared_app import lifecycle
from shared_app.models import Client, Domain, OperatorAction
from shared_app.tasks import purge_tenants

from ..conftest import OPERATOR, host
from ..factories import ClientFactory, DomainFactory

EXPORTED: list[tuple[str, bool]] = []


def export_for_test(tenant: Client) -> None:
    """PGSCHEMAS_PURGE_EXPORT in these tests: notes the schema and whether it still exists."""
    EXPORTED.append((tenant.schema_name, schema_exists(tenant.schema_name)))


def failing_export(tenant: Client) -> None:
    raise OSError("archive location unreachable")


def test_suspending_records_who_when_what_and_why(acme):
    done = lifecycle.suspend(acme, by=OPERATOR, reason="  Unpaid\ninvoices  ")

    acme.refresh_from_db()
    assert acme.status == Status.SUSPENDED
    assert (acme.status_changed_by, acme.status_reason) == (OPERATOR, "Unpaid invoices")
    record = OperatorAction.objects.get()
    assert (record, record.tenant, record.schema_name) == (done, acme, "acme")
    assert (record.action, record.actor, record.reason) == ("suspend", OPERATOR, "Unpaid invoices")
    assert record.details == {"from": "active", "to": "suspended"}
    assert timezone.now() - record.at < timedelta(minutes=1)


def test_the_longest_actor_is_cut_to_fit_not_refused(acme):
    by = "owner " + "a" * 240 + "@example.com"

    lifecycle.suspend(acme, by=by, reason="unpaid")

    assert OperatorAction.objects.get().actor == by[:254]
    assert Client.objects.get(pk=acme.pk).status_changed_by == by[:254]


@pytest.mark.parametrize("reason", ["", "   \n "])
def test_an_action_without_a_reason_is_refused_and_changes_nothing(acme, reason):
    with pytest.raises(lifecycle.ActionRefused, match="Give a reason"):
        lifecycle.suspend(acme, by=OPERATOR, reason=reason)

    acme.refresh_from_db()
    assert acme.status == Status.ACTIVE and not OperatorAction.objects.exists()


def test_an_action_that_does_not_apply_to_the_state_is_refused(acme):
    with pytest.raises(lifecycle.ActionRefused, match="Acme is active"):
        lifecycle.resume(acme, by=OPERATOR, reason="why not")

    assert not OperatorAction.objects.exists()


def test_suspend_then_resume(acme):
    lifecycle.suspend(acme, by=OPERATOR, reason="unpaid")
    lifecycle.resume(acme, by=OPERATOR, reason="paid")

    acme.refresh_from_db()
    assert acme.status == Status.ACTIVE
    assert list(OperatorAction.objects.values_list("action", flat=True)) == ["resume", "suspend"]


def test_maintenance_on_and_off(acme):
    lifecycle.start_maintenance(acme, by=OPERATOR, reason="reindex")
    assert Client.objects.get(pk=acme.pk).status == Status.MAINTENANCE
    assert HttpClient(headers={"host": host("acme")}).get("/").status_code == 503

    lifecycle.end_maintenance(acme, by=OPERATOR, reason="done")
    assert Client.objects.get(pk=acme.pk).status == Status.ACTIVE


def test_deleting_sets_the_purge_date_after_the_retention_period(acme, settings):
    settings.PGSCHEMAS_DELETION_RETENTION_DAYS = 7
    before = timezone.now()

    done = lifecycle.delete(acme, by=OPERATOR, reason="customer left")

    acme.refresh_from_db()
    assert acme.status == Status.PENDING_DELETION
    assert before + timedelta(days=7) <= acme.purge_after <= timezone.now() + timedelta(days=7)
    assert done.details["purge_after"] == acme.purge_after.isoformat()
    assert HttpClient(headers={"host": host("acme")}).get("/").status_code == 410


def test_cancelling_a_deletion_brings_the_workspace_back_as_it_was(acme):
    lifecycle.delete(acme, by=OPERATOR, reason="customer left")
    lifecycle.cancel_deletion(acme, by=OPERATOR, reason="customer came back")

    acme.refresh_from_db()
    assert (acme.status, acme.purge_after) == (Status.ACTIVE, None)
    assert HttpClient(headers={"host": host("acme")}).get("/").status_code == 302


def test_every_action_is_listed_for_the_console_and_the_admin():
    assert set(lifecycle.ACTIONS) >= {
        "suspend",
        "resume",
        "maintenance_on",
        "maintenance_off",
        "delete",
        "cancel_deletion",
    }


# The operator admin ---------------------------------------------------------------------------


def test_the_admin_action_asks_for_a_reason_then_suspends_and_records(operator_client, acme):
    selected = {"action": "lifecycle_suspend", "_selected_action": [str(acme.pk)]}

    asked = operator_client.post("/admin/shared_app/client/", selected)
    done = operator_client.post("/admin/shared_app/client/", {**selected, "reason": "unpaid"})

    assert asked.status_code == 200 and "reason" in asked.content.decode()
    assert Client.objects.get(pk=acme.pk).status == Status.SUSPENDED
    assert done.status_code == 302
    record = OperatorAction.objects.get()
    assert (record.action, record.actor, record.reason) == ("suspend", OPERATOR, "unpaid")


def test_the_admin_action_with_a_blank_reason_asks_again(operator_client, acme):
    selected = {"action": "lifecycle_suspend", "_selected_action": [str(acme.pk)], "reason": " "}

    response = operator_client.post("/admin/shared_app/client/", selected)

    assert response.status_code == 200 and "This field is required" in response.content.decode()
    assert Client.objects.get(pk=acme.pk).status == Status.ACTIVE


def test_the_admin_lists_the_records_read_only(operator_client, acme):
    lifecycle.suspend(acme, by=OPERATOR, reason="unpaid")

    listed = operator_client.get("/admin/shared_app/operatoraction/")

    assert listed.status_code == 200 and "unpaid" in listed.content.decode()
    assert operator_client.get("/admin/shared_app/operatoraction/add/").status_code == 403


# Purging --------------------------------------------------------------------------------------


@pytest.fixture
def doomed(db, settings, tmp_path) -> Client:
    """A workspace with a media file, deleted, and past its purge date."""
    settings.MEDIA_ROOT = tmp_path
    tenant = ClientFactory(schema_name="doomed")
    DomainFactory(tenant=tenant)
    with tenant:
        default_storage.save("logos/logo.png", ContentFile(b"png"))
    lifecycle.delete(tenant, by=OPERATOR, reason="left")
    Client.objects.filter(pk=tenant.pk).update(purge_after=timezone.now() - timedelta(minutes=1))
    return Client.objects.get(pk=tenant.pk)


def test_purgetenants_dry_run_lists_and_erases_nothing(doomed, acme):
    out = StringIO()

    call_command("purgetenants", "--dry-run", stdout=out)

    assert "would purge doomed" in out.getvalue() and "acme" not in out.getvalue()
    assert schema_exists("doomed") and Client.objects.filter(pk=doomed.pk).exists()


def test_purgetenants_erases_the_schema_media_and_rows_and_keeps_the_record(doomed, settings):
    EXPORTED.clear()
    settings.PGSCHEMAS_PURGE_EXPORT = f"{__name__}.export_for_test"
    folder = settings.MEDIA_ROOT / "doomed"
    assert (folder / "logos" / "logo.png").exists()
    out = StringIO()

    call_command("purgetenants", stdout=out)

    assert "purged doomed" in out.getvalue()
    assert EXPORTED == [("doomed", True)]  # the export hook ran before the schema was dropped
    assert not schema_exists("doomed") and not folder.exists()
    assert not Client.objects.filter(schema_name="doomed").exists()
    assert not Domain.objects.filter(domain=host("doomed")).exists()
    record = OperatorAction.objects.get(action="purge")
    assert (record.tenant, record.schema_name, record.actor) == (None, "doomed", "purgetenants")


def test_a_failing_export_keeps_the_workspace(doomed, settings):
    settings.PGSCHEMAS_PURGE_EXPORT = f"{__name__}.failing_export"
    err = StringIO()

    call_command("purgetenants", stdout=StringIO(), stderr=err)

    assert "Not purged (see the log): doomed" in err.getvalue()
    assert schema_exists("doomed") and Client.objects.filter(pk=doomed.pk).exists()
    assert (settings.MEDIA_ROOT / "doomed" / "logos" / "logo.png").exists()


def test_a_workspace_not_yet_due_or_brought_back_is_not_purged(doomed, acme):
    lifecycle.delete(acme, by=OPERATOR, reason="left")  # due in 30 days
    lifecycle.cancel_deletion(doomed, by=OPERATOR, reason="came back")

    assert purge_tenants.apply().get() == []
    assert schema_exists("doomed") and schema_exists("acme")


def test_the_purge_runs_hourly_from_beat(doomed):
    entry = django_settings.CELERY_BEAT_SCHEDULE["purge-tenants"]

    assert entry["task"] in app.tasks
    assert app.tasks[entry["task"]].apply().get() == ["doomed"]


# The owner ------------------------------------------------------------------------------------


def test_the_owner_deletes_the_workspace_after_typing_its_name(owner_client, acme):
    response = owner_client.post(
        "/settings/delete/", {"confirm_name": "Acme", "reason": "moving on"}
    )

    assert response.status_code == 302
    assert owner_client.get("/").status_code == 410
    record = OperatorAction.objects.get()
    assert (record.action, record.actor, record.reason) == (
        "delete",
        "owner owner@example.com",
        "moving on",
    )


def test_a_mistyped_name_deletes_nothing(owner_client, acme):
    response = owner_client.post("/settings/delete/", {"confirm_name": "acme"})

    assert response.status_code == 400 and "Type “Acme” exactly" in response.content.decode()
    assert Client.objects.get(pk=acme.pk).status == Status.ACTIVE


def test_a_member_who_is_not_an_owner_cannot_delete(member_client, acme):
    response = member_client(acme).post("/settings/delete/", {"confirm_name": "Acme"})

    assert response.status_code == 403
    assert Client.objects.get(pk=acme.pk).status == Status.ACTIVE


def test_the_settings_page_offers_deletion_to_owners_only(owner_client, member_client, acme):
    assert "Delete the workspace" in owner_client.get("/settings/").content.decode()
    assert "Delete the workspace" not in member_client(acme).get("/settings/").content.decode()
