"""createdemo: a clickable demo workspace with an owner, a member and a few projects."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from pgschemas.schema import StaticSchema
from shared_app.models import Client
from tenant_app.models import Project

pytestmark = pytest.mark.django_db


def demo_state() -> dict[str, object]:
    User = get_user_model()
    with Client.objects.get(schema_name="demo"):
        users = {user.email: (user.role, user.is_superuser) for user in User.objects.all()}
        projects = Project.objects.count()
    with StaticSchema("www"):
        operators = list(User.objects.filter(is_superuser=True).values_list("email", flat=True))
    return {"users": users, "projects": projects, "operators": operators}


def test_createdemo_makes_a_workspace_to_click_through_and_changes_nothing_when_run_again(
    settings, capsys
):
    settings.DEBUG = True

    call_command("createdemo")
    first = demo_state()
    call_command("createdemo")

    assert first == {
        "users": {"admin@example.com": ("owner", True), "member@example.com": ("member", False)},
        "projects": 3,
        "operators": ["admin@example.com"],
    }
    assert demo_state() == first
    assert Client.objects.get(schema_name="demo").domains.get().domain == "demo.localhost"
    assert "member@example.com" in capsys.readouterr().out


def test_createdemo_refuses_to_run_without_debug(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="DEBUG"):
        call_command("createdemo")
