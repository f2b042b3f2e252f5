""" "Find my workspace" on www, and the public index of workspace accounts behind it."""

import pytest
from django.conf import settings
from django.core import mail

from shared_app.models import WorkspaceAccount

from ..conftest import host
from ..factories import UserFactory

pytestmark = pytest.mark.django_db
WWW = {"host": settings.DOMAIN_NAME}


def indexed(tenant) -> list[str]:
    return sorted(WorkspaceAccount.objects.filter(tenant=tenant).values_list("email", flat=True))


def test_the_index_follows_users_added_changed_deactivated_and_removed(acme):
    with acme:
        user = UserFactory(email="Ann@Example.com")
    assert indexed(acme) == ["ann@example.com"]

    with acme:
        user.email = "anne@example.com"
        user.save()
    assert indexed(acme) == ["anne@example.com"]

    with acme:
        user.is_active = False
        user.save()
    assert indexed(acme) == []

    with acme:
        user.is_active = True
        user.save()
        user.delete()
    assert indexed(acme) == []


def test_operators_on_www_are_not_workspace_accounts():
    from pgschemas.schema import StaticSchema

    with StaticSchema("www"):
        UserFactory(email="operator@example.com")

    assert not WorkspaceAccount.objects.filter(email="operator@example.com").exists()


def test_find_my_workspace_mails_links_to_every_workspace_of_the_address(client, acme, globex):
    for tenant in (acme, globex):
        with tenant:
            UserFactory(email="ann@example.com")

    response = client.post("/find-my-workspace/", {"email": "ANN@example.com"}, headers=WWW)

    assert response.status_code == 200
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["ann@example.com"]
    assert f"http://{host('acme')}/" in mail.outbox[0].body
    assert f"http://{host('globex')}/" in mail.outbox[0].body


def test_find_my_workspace_answers_the_same_for_an_unknown_address(client, acme):
    with acme:
        UserFactory(email="ann@example.com")

    known = client.post("/find-my-workspace/", {"email": "ann@example.com"}, headers=WWW)
    unknown = client.post("/find-my-workspace/", {"email": "bob@example.com"}, headers=WWW)

    assert known.status_code == unknown.status_code == 200
    assert known.content.decode().replace(
        "ann@example.com", ""
    ) == unknown.content.decode().replace("bob@example.com", "")
    assert [message.to for message in mail.outbox] == [["ann@example.com"]]


def test_find_my_workspace_queries_the_index_not_every_schema(
    client, acme, django_assert_max_num_queries
):
    with acme:
        UserFactory(email="ann@example.com")

    with django_assert_max_num_queries(2) as captured:  # the index, then the domains
        client.post("/find-my-workspace/", {"email": "ann@example.com"}, headers=WWW)

    assert all("users_user" not in query["sql"] for query in captured.captured_queries)


def test_a_bad_address_gets_a_form_error(client):
    response = client.post("/find-my-workspace/", {"email": "not-an-address"}, headers=WWW)

    assert "Enter a valid email address." in response.content.decode()
    assert mail.outbox == []
