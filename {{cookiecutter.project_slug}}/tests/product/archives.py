"""Shared by the export and restore tests: a customer with rows in every table, and what to
compare after a round trip (every table's rows, every sequence, every media file)."""

import datetime  # >>> include_api <<<
import io
import json
import tarfile
from pathlib import Path

from allauth.account.models import EmailAddress, EmailConfirmation
from allauth.mfa.models import Authenticator
from allauth.socialaccount.models import SocialAccount, SocialApp, SocialToken
from django.contrib.admin.models import ADDITION, LogEntry
from django.contrib.auth.models import Group, Permission
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection
from psycopg2 import sql

from shared_app.models import Client
from tenant_app.api.keys import create_key  # >>> include_api <<<
from tenant_app.models import (
    ApiKey,  # >>> include_api <<<
    ApiUsage,  # >>> include_api <<<
    AuditEvent,
    Invitation,
    Project,
    UsedHandoverToken,
    WorkspaceSecurity,
)

from ..factories import ProjectFactory, UserFactory

SOURCE = "archived"
MEDIA_FILES = {"avatars/ann.png": b"\x89PNG" + bytes(range(256)), "notes.txt": b"hello\n"}


def fill_every_table(tenant: Client) -> None:
    """Rows in each of the tenant's tables, and sequences past their table's largest id."""
    with tenant:
        for n in range(3):
            ProjectFactory(name=f"{SOURCE} project {n}", description="x" * n)
        Project.objects.filter(name__endswith="0").delete()  # the sequence is now past max(id)
        user = UserFactory(email="ann@archived.test")
        group = Group.objects.create(name="editors")
        permission = Permission.objects.first()
        group.permissions.add(permission)
        user.groups.add(group)
        user.user_permissions.add(permission)
        address = EmailAddress.objects.create(user=user, email=user.email, primary=True)
        EmailConfirmation.create(address)
        LogEntry.objects.create(user=user, action_flag=ADDITION, object_repr="it")
        Invitation.objects.create(email="bob@archived.test", invited_by=user)
        UsedHandoverToken.objects.create(nonce="n1")
        # >>> include_api
        key = ApiKey(name="ci", created_by=user)
        create_key(tenant, key)
        ApiUsage.objects.create(day=datetime.date(2026, 1, 2), key=key, requests=3)
        # <<< include_api
        WorkspaceSecurity.objects.create(pk=1, allow_support_access=False, sso_domains="a.test")
        AuditEvent.objects.create(actor="ann", action=AuditEvent.Action.SECURITY_SETTINGS)
        app = SocialApp.objects.create(provider="openid_connect", provider_id="sso", name="IdP")
        account = SocialAccount.objects.create(user=user, provider="sso", uid="ann")
        SocialToken.objects.create(app=app, account=account, token="t")
        Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={"secret": "s"})
        session = SessionStore()
        session["k"] = "v"
        session.create()


def table_rows(schema_name: str) -> dict[str, list[tuple]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE nspname = %s AND relkind = 'r' ORDER BY relname",
            [schema_name],
        )
        tables = [name for (name,) in cursor.fetchall()]
        rows = {}
        for table in tables:
            query = sql.SQL("SELECT * FROM {}.{} ORDER BY 1").format(
                sql.Identifier(schema_name), sql.Identifier(table)
            )
            cursor.execute(query.as_string(cursor.cursor.connection))
            rows[table] = cursor.fetchall()
    return rows


def sequence_values(schema_name: str) -> dict[str, tuple]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = %s",
            [schema_name],
        )
        return dict(cursor.fetchall())


def media_of(root: Path, schema_name: str) -> dict[str, bytes]:
    folder = root / schema_name
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


def schemas_like(pattern: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT nspname FROM pg_namespace WHERE nspname LIKE %s", [pattern])
        return [name for (name,) in cursor.fetchall()]


def repack(archive: Path, out: Path, change) -> Path:
    """``archive`` with its members passed through ``change(name, data) -> data``."""
    with tarfile.open(archive) as source, tarfile.open(out, "w:gz") as target:
        for member in source:
            data = change(member.name, source.extractfile(member).read())
            member.size = len(data)
            target.addfile(member, io.BytesIO(data))
    return out


def with_manifest(**changes):
    def change(name: str, data: bytes) -> bytes:
        if name != "manifest.json":
            return data
        manifest = json.loads(data)
        for key, value in changes.items():
            manifest[key] = value(manifest[key]) if callable(value) else value
        return json.dumps(manifest).encode()

    return change
