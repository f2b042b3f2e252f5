"""The development secret key: made on first use and kept in the project's git-ignored `.env`.

No rendered file holds a key, so two bakes of the same answers are identical and template
updates never touch one. Production settings never call this: they require DJANGO_SECRET_KEY.
"""

import fcntl
import os
import secrets
from pathlib import Path

import environ

NAME = "DJANGO_SECRET_KEY"


def development_secret_key(env_file: Path) -> str:
    """The environment's key (`.env` is already read into it); else the one another process has
    just written to `env_file`; else a new one, appended to it. A lock on the file serialises
    racing first uses (runserver's two processes), so they all get the same key."""
    if NAME not in os.environ:
        with env_file.open("a", encoding="utf-8") as dotenv:
            fcntl.flock(dotenv, fcntl.LOCK_EX)
            environ.Env.read_env(env_file, overwrite=False)
            if NAME not in os.environ:
                # URL-safe characters: nothing that .env parsing quotes, escapes or interpolates.
                key = secrets.token_urlsafe(50)
                dotenv.write(f"\n# Made by config/settings/local.py on first use.\n{NAME}={key}\n")
                os.environ[NAME] = key
    return os.environ[NAME]
