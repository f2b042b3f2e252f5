import factory
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission

from shared_app.models import (
    Client,
    Domain,
    Plan,  # >>> not include_billing <<<
)
from tenant_app.models import Project


class ClientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Client

    schema_name = factory.Sequence(lambda n: f"tenant_{n}")
    name = factory.LazyAttribute(lambda client: client.schema_name.replace("_", " ").title())
    # >>> not include_billing
    # Room for what the tests add (a new workspace starts on the free plan): Pro.
    plan = factory.LazyFunction(lambda: Plan.objects.get(slug="pro"))
    # <<< not include_billing


class DomainFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Domain

    tenant = factory.SubFactory(ClientFactory)
    domain = factory.LazyAttribute(
        lambda d: f"{d.tenant.schema_name.replace('_', '-')}.{settings.DOMAIN_NAME}"
    )
    is_primary = True


class ProjectFactory(factory.django.DjangoModelFactory):
    """Create inside ``with tenant:``: projects live in the active tenant's schema."""

    class Meta:
        model = Project

    name = factory.Sequence(lambda n: f"Project {n}")


PASSWORD = "correct horse battery staple"


class UserFactory(factory.django.DjangoModelFactory):
    """Create inside ``with tenant:`` (or ``with StaticSchema("www"):``): users live per schema."""

    class Meta:
        model = get_user_model()
        django_get_or_create = ("email",)

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    password = factory.django.Password(PASSWORD)


class OwnerFactory(UserFactory):
    role = "owner"


class OperatorFactory(UserFactory):
    """A www staff user; ``permissions=["open_support_session"]`` grants those (codenames).
    Create inside ``with StaticSchema("www"):``."""

    class Meta:
        skip_postgeneration_save = True  # permissions are rows of their own

    is_staff = True

    @factory.post_generation
    def permissions(self, create: bool, codenames: list[str] | None, **kwargs: object) -> None:
        if codenames:
            self.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
