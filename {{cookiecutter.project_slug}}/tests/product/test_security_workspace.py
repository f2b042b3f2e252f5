"""Inside a workspace: invitations are no spam relay, a name cannot break an e-mail, the workspace
keeps an owner, and used hand-over tokens do not pile up."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import mail
from django.utils import timezone

from tenant_app.models import Invitation, UsedHandoverToken
from tenant_app.tokens import make_handover_token, redeem_handover_token

from ..factories import OwnerFactory

pytestmark = pytest.mark.django_db


def invite(http, email: str):
    return http.post("/members/", {"email": email})


# Invitations --------------------------------------------------------------------------------------


def test_a_workspace_sends_at_most_20_invitations_an_hour(member_client, acme, globex):
    owner = member_client(acme, role="owner")

    responses = [invite(owner, f"person{n}@example.com") for n in range(21)]
    elsewhere = invite(member_client(globex, role="owner"), "person20@example.com")

    assert [response.status_code for response in responses] == [302] * 20 + [429]
    assert "as many invitations as it may in an hour" in responses[-1].content.decode()
    assert len(mail.outbox) == 21  # 20 from acme, 1 from globex: its own limit
    with acme:
        assert not Invitation.objects.filter(email="person20@example.com").exists()
    assert elsewhere.status_code == 302


def test_a_workspace_holds_at_most_50_pending_invitations(member_client, acme):
    with acme:
        Invitation.objects.bulk_create(
            Invitation(email=f"waiting{n}@example.com") for n in range(50)
        )
    owner = member_client(acme, role="owner")

    response = invite(owner, "one-more@example.com")

    assert response.status_code == 200
    assert "50 invitations waiting to be accepted" in response.content.decode()
    assert mail.outbox == []
    assert settings.MAX_PENDING_INVITATIONS == 50


def test_a_line_break_in_the_workspace_name_does_not_break_invitations(member_client, acme):
    owner = member_client(acme, role="owner")

    owner.post("/settings/", {"name": "Acme\nBcc: victim@example.com"})
    response = invite(owner, "new@example.com")

    acme.refresh_from_db()
    assert acme.name == "Acme Bcc: victim@example.com"
    assert response.status_code == 302
    assert mail.outbox[0].subject == "Join Acme Bcc: victim@example.com"
    assert mail.outbox[0].to == ["new@example.com"]


def test_a_workspace_name_of_control_characters_only_is_a_form_error(member_client, acme):
    response = member_client(acme, role="owner").post("/settings/", {"name": "\x01\x02"})

    assert response.status_code == 200 and "letters or digits" in response.content.decode()
    acme.refresh_from_db()
    assert acme.name == "Acme"


# Owners -------------------------------------------------------------------------------------------


def exists(tenant, user) -> bool:
    with tenant:
        return get_user_model().objects.filter(pk=user.pk).exists()


def test_another_owner_cannot_remove_the_owner_who_created_the_workspace(member_client, acme):
    with acme:
        creator = OwnerFactory(email="creator@example.com")
    other_owner = member_client(acme, role="owner")

    response = other_owner.post(f"/members/{creator.pk}/remove/", follow=True)

    assert "creator@example.com created this workspace" in response.content.decode()
    assert exists(acme, creator)


def test_the_only_owner_cannot_leave(member_client, acme):
    owner = member_client(acme, role="owner")
    me = owner.get("/members/").wsgi_request.user

    response = owner.post(f"/members/{me.pk}/remove/", follow=True)

    assert "keeps at least one owner" in response.content.decode()
    assert exists(acme, me)


def test_the_creator_leaves_once_another_owner_can_take_over(member_client, acme):
    creator_client = member_client(acme, role="owner")
    creator = creator_client.get("/members/").wsgi_request.user
    with acme:
        successor = OwnerFactory(email="successor@example.com")

    creator_client.post(f"/members/{creator.pk}/remove/")

    assert not exists(acme, creator) and exists(acme, successor)


def test_an_owner_removes_another_owner_who_did_not_create_the_workspace(member_client, acme):
    owner = member_client(acme, role="owner")
    with acme:
        other = OwnerFactory(email="other-owner@example.com")

    owner.post(f"/members/{other.pk}/remove/")

    assert not exists(acme, other)


# Hand-over tokens ---------------------------------------------------------------------------------


def test_a_hand_over_deletes_the_used_tokens_that_have_expired(acme):
    with acme:
        old = UsedHandoverToken.objects.create(nonce="old")
        recent = UsedHandoverToken.objects.create(nonce="recent")
        UsedHandoverToken.objects.filter(pk=old.pk).update(
            used_at=timezone.now() - timedelta(minutes=2)
        )

        redeem_handover_token(make_handover_token(acme, 1), acme)

        remaining = set(UsedHandoverToken.objects.values_list("nonce", flat=True))
    assert "old" not in remaining and recent.nonce in remaining and len(remaining) == 2
