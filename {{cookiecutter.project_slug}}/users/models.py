"""The user model of every schema that has users: customers' workspaces, www and other static
tenants with sessions.

E-mail is the log-in. It is the custom model from the first migration on, because
AUTH_USER_MODEL cannot change cheaply once tables reference it.
"""

from typing import Any

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields: Any) -> "User":
        if not email:
            raise ValueError("A user needs an e-mail address.")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields: Any) -> "User":
        fields.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **fields)


class User(AbstractUser):
    class Role(models.TextChoices):
        OWNER = "owner", "Owner"
        MEMBER = "member", "Member"

    username = None  # type: ignore[assignment]
    email = models.EmailField("e-mail address", unique=True)
    # In a customer's workspace: owners manage members and settings. Unused on static tenants.
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()  # type: ignore[misc]

    class Meta:
        ordering = ["email"]
        # Operators' permissions (www): support access from the console (main_app/console.py).
        permissions = [
            ("open_support_session", "Can open read-only support sessions in workspaces"),
            ("open_read_write_support_session", "Can open read-write support sessions"),
        ]

    def __str__(self) -> str:
        return self.email

    @property
    def is_owner(self) -> bool:
        return self.role == self.Role.OWNER
