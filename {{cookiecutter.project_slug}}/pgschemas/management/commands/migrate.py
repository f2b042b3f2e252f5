"""``migrate`` is ``migrateschema``: plain ``manage.py migrate`` migrates every schema."""

from .migrateschema import Command  # noqa: F401
