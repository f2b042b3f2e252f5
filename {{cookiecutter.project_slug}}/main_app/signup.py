"""A visitor becomes a customer: the sub-domain rules, the optional e-mail check before anything is
stored, and creating the workspace, all or nothing."""

import itertools
import logging
import re
from dataclasses import asdict, dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, connection, transaction

from pgschemas.availability import taken_schema_names
from pgschemas.config import get_tenants_config
from pgschemas.exceptions import TenantSchemaError
from pgschemas.names import check_domain, check_schema_name
from shared_app.models import Client, Domain

logger = logging.getLogger(__name__)


class SubdomainUnavailable(Exception):
    """The sub-domain breaks a rule, is reserved or is taken; the message says which, and what
    to try instead."""


class WorkspaceNotCreated(Exception):
    """Creating the workspace failed for another reason; nothing of it was kept."""


def workspace_domain(subdomain: str) -> str:
    return f"{subdomain}.{settings.TENANT_DOMAIN_SUFFIX}"


def reserved_subdomains() -> frozenset[str]:
    """RESERVED_SUBDOMAINS, every static tenant's name and every sub-domain they are served on."""
    config = get_tenants_config()
    served = {
        domain.partition(".")[0]
        for tenant in config.static.values()
        for domain in tenant.domains
        if domain.endswith((f".{settings.DOMAIN_NAME}", f".{settings.TENANT_DOMAIN_SUFFIX}"))
    }
    return frozenset({*settings.RESERVED_SUBDOMAINS, *config.reserved_names, *served})


def is_taken(subdomain: str) -> bool:
    return (
        bool(taken_schema_names([subdomain]))
        or Domain.objects.filter(domain=workspace_domain(subdomain)).exists()
    )


def check_subdomain(subdomain: str) -> str:
    """Return the sub-domain if a new workspace may take it; else raise SubdomainUnavailable.

    It becomes both the schema name and the first label of the host name, so it must pass
    both rules: lower-case letters and digits, starting with a letter.
    """
    reserved = reserved_subdomains()
    try:
        check_schema_name(subdomain, reserved=reserved)
        check_domain(workspace_domain(subdomain))
    except ValidationError as error:
        if error.code == "reserved_schema_name" and subdomain in reserved:
            problem = f"“{subdomain}” is reserved."
        else:
            problem = "Use 1 to 63 lower-case letters and digits, starting with a letter."
        raise SubdomainUnavailable(f"{problem} Try “{suggest_subdomain(subdomain)}”.") from None
    if is_taken(subdomain):
        raise SubdomainUnavailable(
            f"“{subdomain}” is already taken. Try “{suggest_subdomain(subdomain)}”."
        )
    return subdomain


def suggest_subdomain(wanted: str) -> str:
    """A free, valid sub-domain close to ``wanted``: its letters and digits, then a number.

    One query, whatever the number of workspaces named like it.
    """
    base = re.sub(r"[^a-z0-9]", "", wanted.lower()).lstrip("0123456789")[:56] or "team"
    unavailable = reserved_subdomains() | taken_like(base)
    candidates = itertools.chain([base], (f"{base}{number}" for number in itertools.count(2)))
    return next(candidate for candidate in candidates if candidate not in unavailable)


def taken_like(base: str) -> set[str]:
    """``base`` and every ``base<digits>`` that a Client, a schema or a workspace domain takes."""
    names = f"^{base}[0-9]*$"
    domains = f"^{base}[0-9]*{re.escape('.' + settings.TENANT_DOMAIN_SUFFIX)}$"
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nspname FROM pg_catalog.pg_namespace WHERE nspname ~ %s "
            f"UNION SELECT schema_name FROM {quote(Client._meta.db_table)} WHERE schema_name ~ %s "
            f"UNION SELECT split_part(domain, '.', 1) FROM {quote(Domain._meta.db_table)} "
            "WHERE domain ~ %s",
            [names, names, domains],
        )
        return {name for (name,) in cursor.fetchall()}


@dataclass(frozen=True)
class NewWorkspace:
    client: Client
    owner_id: int


def create_workspace(
    *, name: str, subdomain: str, email: str, password: str | None
) -> NewWorkspace:
    """The Client (its schema created and migrated), its primary Domain and the owner inside the
    new schema, in one transaction: on any failure nothing is left. ``password`` None: the owner
    has none and logs in through a social provider (main_app/social.py)."""
    try:
        with transaction.atomic():
            client = Client.objects.create(schema_name=subdomain, name=name)
            domain = workspace_domain(subdomain)
            Domain.objects.create(tenant=client, domain=domain, is_primary=True)
            # The inner savepoint rolls back while the new schema is still active: the backend
            # sets search_path on the next cursor, which an aborted transaction would refuse.
            with client, transaction.atomic():
                User = get_user_model()
                owner = User.objects.create_user(email, password, role=User.Role.OWNER)
    except (IntegrityError, ValidationError, TenantSchemaError) as error:
        if is_taken(subdomain):  # another sign-up won the race for this sub-domain
            raise SubdomainUnavailable(
                f"“{subdomain}” was just taken. Try “{suggest_subdomain(subdomain)}”."
            ) from error
        logger.exception("Creating the workspace %r failed", subdomain)
        raise WorkspaceNotCreated(
            "We could not create your workspace just now and kept nothing of it. "
            "Please try again in a moment."
        ) from error
    return NewWorkspace(client=client, owner_id=owner.pk)


# Sign-up with e-mail verification (SIGNUP_EMAIL_VERIFICATION) --------------------------------
# The link carries the sign-up itself, signed: nothing is stored until it is opened, so a sign-up
# never confirmed leaves nothing behind. The password is chosen on the link's page.

SIGNUP_SALT = "main_app.signup"


class InvalidSignupLink(Exception):
    """The link is malformed or expired."""


@dataclass(frozen=True)
class PendingSignup:
    name: str
    subdomain: str
    email: str


def make_signup_token(signup: PendingSignup) -> str:
    return signing.dumps(asdict(signup), salt=SIGNUP_SALT)


def pending_signup(token: str) -> PendingSignup:
    try:
        payload = signing.loads(token, salt=SIGNUP_SALT, max_age=settings.SIGNUP_LINK_MAX_AGE)
    except signing.SignatureExpired as error:
        raise InvalidSignupLink("This link has expired: please sign up again.") from error
    except signing.BadSignature as error:
        raise InvalidSignupLink("This link is not valid.") from error
    return PendingSignup(**payload)


def send_signup_link(signup: PendingSignup, link: str) -> None:
    send_mail(
        f"Confirm your {settings.PROJECT_NAME} workspace",
        f"Open this link to choose your password and create the workspace {signup.name} "
        f"at {workspace_domain(signup.subdomain)}:\n\n{link}\n\n"
        "If you did not sign up, you can ignore this message: nothing was created.\n",
        None,
        [signup.email],
    )
