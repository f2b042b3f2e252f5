"""Django's deletions skip the tables of apps the active schema does not have."""

import pytest
from django.contrib.auth import get_user_model

from pgschemas.reachable import is_reachable
from pgschemas.schema import StaticSchema
from tenant_app.models import Invitation

from ..factories import UserFactory

pytestmark = pytest.mark.django_db


def test_deleting_a_www_user_does_not_look_for_customers_invitations():
    with StaticSchema("www"):
        user = UserFactory()

        user.delete()  # invitations (tenant_app) refer to users, but www has no such table

        assert not get_user_model().objects.filter(email=user.email).exists()


def test_a_customers_invitations_are_reachable_in_its_schema_only(acme):
    with acme:
        assert is_reachable(Invitation)
    with StaticSchema("www"):
        assert not is_reachable(Invitation)
        assert not Invitation._base_manager.exists()  # no query on a missing table
