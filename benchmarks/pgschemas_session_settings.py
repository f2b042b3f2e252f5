"""The project's benchmark settings, with the search path set once per session (direct)."""

from pgschemas_settings import *  # noqa: F403

PGSCHEMAS_SESSION_SEARCH_PATH = True
