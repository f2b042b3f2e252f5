"""migrateschema (alias migrate) and runschema with every selector."""

import io
import re

import pytest
from django.conf import settings
from django.core import checks
from django.core.checks.registry import registry
from django.core.management import CommandError, call_command
from django.core.management.base import SystemCheckError
from django.db import connection

from pgschemas.availability import schema_exists
from pgschemas.fleet.provisioning import drop_schema
from pgschemas.management.commands.runschema import Command as RunSchema

from ..conftest import host
from ..factories import DomainFactory

pytestmark = pytest.mark.django_db


def migrated(*selectors: str, command: str = "migrateschema") -> list[str]:
    """Run the command and return the schemas it reported, in order."""
    out = io.StringIO()
    call_command(command, *[f"--schema={s}" for s in selectors], stdout=out, verbosity=2)
    return re.findall(r"^Schema '(\w+)':", out.getvalue(), flags=re.MULTILINE)


STATIC = ["www", "blog"] if "blog" in settings.TENANTS else ["www"]


def test_no_selector_migrates_every_schema_public_first():
    assert migrated() == ["public", *STATIC, "acme", "globex"]


def test_migrate_is_the_same_command():
    assert migrated(command="migrate") == ["public", *STATIC, "acme", "globex"]


@pytest.mark.parametrize(
    ("selector", "expected"),
    [
        ("public", ["public"]),
        ("www", ["www"]),
        (":static:", STATIC),
        (":dynamic:", ["acme", "globex"]),
        (":all:", ["public", *STATIC, "acme", "globex"]),
        ("globex", ["globex"]),
        (host("acme")[:-1], ["acme"]),  # no static domain starts so, whatever DOMAIN_NAME is
        (f"www.{settings.DOMAIN_NAME}", ["www"]),
    ],
)
def test_each_selector_picks_its_schemas(selector, expected):
    assert migrated(selector) == expected


def test_selectors_combine_without_repeats_static_schemas_first():
    assert migrated("acme", ":dynamic:", "www") == ["www", "acme", "globex"]


def test_an_ambiguous_domain_start_lists_what_matched(acme):
    DomainFactory(tenant=acme, domain=f"shop-a.{settings.DOMAIN_NAME}", is_primary=False)
    globex = acme._meta.model.objects.get(schema_name="globex")
    DomainFactory(tenant=globex, domain=f"shop-b.{settings.DOMAIN_NAME}", is_primary=False)

    with pytest.raises(CommandError, match=r"'shop' is ambiguous.*acme, globex"):
        migrated("shop")


def test_an_unknown_selector_says_what_is_accepted():
    with pytest.raises(CommandError, match=r"No schema matches 'nowhere'.*:static:"):
        migrated("nowhere")


def test_migrateschema_recreates_and_migrates_a_missing_static_schema():
    drop_schema("www")

    migrated("www")

    assert schema_exists("www")
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('www.users_user') IS NOT NULL")
        assert cursor.fetchone()[0]


def test_the_system_checks_run_before_the_first_change_only(settings):
    settings.PGSCHEMAS_SPARE_SCHEMAS = 1

    def broken(**kwargs: object) -> list[checks.CheckMessage]:
        return [checks.Error("broken on purpose", id="tests.E001")]

    registry.register(broken)
    try:
        drop_schema("www")
        with pytest.raises(SystemCheckError, match="broken on purpose"):
            call_command("migrateschema", skip_checks=False, verbosity=0)
        assert not schema_exists("www")

        call_command("migrateschema", "-s", "www", verbosity=0)  # checks skipped
        with pytest.raises(SystemCheckError, match="broken on purpose"):  # a spare to make
            call_command("migrateschema", skip_checks=False, verbosity=0)

        settings.PGSCHEMAS_SPARE_SCHEMAS = 0
        call_command("migrateschema", skip_checks=False, verbosity=0)  # nothing to change
    finally:
        registry.registered_checks.discard(broken)


def schemas_seen_by_runschema(*argv: str, capsys) -> list[str]:
    code = "from pgschemas.schema import get_active_schema; print(get_active_schema().schema_name)"
    call_command("runschema", *argv, "shell", "-v", "0", "-c", code)
    return capsys.readouterr().out.split()


@pytest.mark.parametrize(
    ("selector", "expected"),
    [
        ("public", ["public"]),
        (":static:", STATIC),
        (":dynamic:", ["acme", "globex"]),
        (":all:", ["public", *STATIC, "acme", "globex"]),
        ("acme", ["acme"]),
        (f"globex.{settings.DOMAIN_NAME}", ["globex"]),
    ],
)
def test_runschema_runs_the_command_in_each_selected_schema(selector, expected, capsys):
    assert schemas_seen_by_runschema("--schema", selector, capsys=capsys) == expected


def test_runschema_requires_a_selector():
    with pytest.raises(CommandError, match="--schema"):
        call_command("runschema", "check")


def test_runschema_passes_keyword_schemas_too(capsys):
    call_command("runschema", "check", "--tag", "models", schemas=["acme"], verbosity=1)

    assert "Schema 'acme': check" in capsys.readouterr().err


def test_runschema_command_line_passes_other_options_through(committed_db, capsys):
    code = "from pgschemas.schema import get_active_schema; print(get_active_schema().schema_name)"

    RunSchema().run_from_argv(
        ["manage.py", "runschema", "shell", "-c", code, "-s", ":dynamic:", "-v", "0"]
    )

    assert capsys.readouterr().out.split() == ["acme", "globex"]
