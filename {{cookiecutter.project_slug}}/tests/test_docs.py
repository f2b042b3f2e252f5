"""The documentation names only what exists: modules, files, settings, commands and URLs."""

import importlib
import re
from pathlib import Path

import pytest
from allauth.account import app_settings as allauth_settings
from django.apps import apps
from django.conf import global_settings, settings
from django.core.management import get_commands
from django.urls import Resolver404, get_resolver, resolve

PAGES = sorted([settings.BASE_DIR / "README.md", *(settings.BASE_DIR / "docs").glob("*.md")])
PACKAGES = ("pgschemas", "config", "tenant_app", "main_app", "shared_app", "users", "devtools")
URLCONFS = [settings.TENANTS["default"]["URLCONF"]] + [
    tenant["URLCONF"] for name, tenant in settings.TENANTS.items() if "URLCONF" in tenant
]
# Names that are not settings of this project but keys or variables of other things.
NOT_SETTINGS = {
    *("DISABLE_SERVER_SIDE_CURSORS", "CONN_MAX_AGE", "CONN_HEALTH_CHECKS", "ENGINE"),  # DATABASES
    *("APPS", "DOMAINS", "URLCONF", "TENANT_MODEL", "DOMAIN_MODEL"),  # keys of TENANTS
    *("DJANGO_SETTINGS_MODULE", "CITUS_SOURCE_TARBALL", "AWS_ACCESS_KEY_ID"),  # read by others
    *("AWS_SECRET_ACCESS_KEY", "BROWSER_SCREENSHOTS", "CHROMIUM_PATH"),
    *("CREATE", "ALTER", "DROP", "SELECT", "CALL", "SET", "LOCAL", "INDEX", "COPY"),  # SQL
    "REMOTE_ADDR",  # a request's META key
    *("CADDY_ISSUER", "CADDY_UPSTREAM"),  # read by caddy/Caddyfile
}
# Paths that are no URL of the project on purpose: the proxy's internal location for media files.
NOT_ROUTED = {"/healthz", "/.well-known/tls-ask", settings.MEDIA_INTERNAL_URL}
# Files the documentation tells a team to create.
EXAMPLE_FILES = {"config/storage.py"}
CHECKS_SOURCE = (settings.BASE_DIR / "pgschemas" / "checks.py").read_text()
# Where settings and environment variables are read: the settings, and pgschemas' defaults.
SETTINGS_SOURCE = "".join(
    path.read_text()
    for path in [
        *(settings.BASE_DIR / "config").rglob("*.py"),
        settings.BASE_DIR / "pgschemas" / "app_settings.py",
    ]
)
TASKS_SOURCE = (settings.BASE_DIR / "pgschemas" / "contrib" / "celery.py").read_text()


def code_spans(page: Path) -> list[str]:
    text = page.read_text()
    return re.findall(r"`([^`\n]+)`", text)


def dotted_names(span: str) -> list[str]:
    return [
        name
        for name in re.findall(r"\b([a-z_]+(?:\.[A-Za-z_][A-Za-z0-9_]*)+)\b", span)
        if name.split(".")[0] in PACKAGES and not name.endswith(".py")
    ]


def importable(dotted: str) -> bool:
    """A module, an object in one, a model label (``app.Model``) or a check id."""
    parts = dotted.split(".")
    if re.fullmatch(r"pgschemas\.[EW]\d{3}", dotted):
        return f'"{dotted}"' in CHECKS_SOURCE
    if f'name="{dotted}"' in TASKS_SOURCE:  # a Celery task's name
        return True
    if len(parts) == 2 and parts[1][:1].isupper() and parts[0] in apps.app_configs:
        return parts[1].lower() in apps.all_models[parts[0]]
    if dotted.startswith("config.settings"):  # importing production needs its environment
        return (settings.BASE_DIR / (dotted.replace(".", "/") + ".py")).exists()
    for cut in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        try:
            for attribute in parts[cut:]:
                obj = getattr(obj, attribute)
        except AttributeError:
            return False
        return True
    return False


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.name)
def test_every_module_and_object_named_exists(page):
    missing = [
        name for span in code_spans(page) for name in dotted_names(span) if not importable(name)
    ]
    assert not missing, f"{page.name} names what does not exist: {missing}"


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.name)
def test_every_project_file_named_exists(page):
    paths = [
        span.rstrip("/")
        for span in code_spans(page)
        if re.fullmatch(r"[\w./-]+", span)
        and span.split("/")[0] in (*PACKAGES, "tests", "docs", "templates", "static")
        and "/" in span
    ]
    missing = [
        path
        for path in paths
        if path not in EXAMPLE_FILES and not (settings.BASE_DIR / path).exists()
    ]
    assert not missing, f"{page.name} names files that do not exist: {missing}"


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.name)
def test_every_setting_named_is_a_setting_or_read_from_the_environment(page):
    names = {
        name
        for span in code_spans(page)
        for name in re.findall(r"^([A-Z][A-Z0-9_]{2,}[A-Z0-9])\b", span)
        if name not in NOT_SETTINGS
    }
    missing = [
        name
        for name in sorted(names)
        if not hasattr(settings, name)
        and not hasattr(global_settings, name)
        and not hasattr(allauth_settings, name.removeprefix("ACCOUNT_"))
        and not re.search(rf"\b{name}\b", SETTINGS_SOURCE)
    ]
    assert not missing, f"{page.name} names settings that do not exist: {missing}"


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.name)
def test_every_command_named_exists(page):
    text = page.read_text()
    named = set(re.findall(r"manage\.py (?:runschema )?([a-z_]+)", text))
    named |= {span.split()[0] for span in code_spans(page) if span.split()[0] in get_commands()}
    missing = sorted(name for name in named if name not in get_commands())
    assert not missing, f"{page.name} names commands that do not exist: {missing}"


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.name)
def test_every_url_named_is_routed(page):
    paths = {
        re.sub(r"<[^>]+>", "x", span)
        for span in code_spans(page)
        if re.fullmatch(r"/[\w<>./-]*[a-z][\w<>./-]*", span)  # not /0 (a Redis database)
        and span not in NOT_ROUTED
        and not span.startswith(("/static/", "/media/"))
    }
    missing = [path for path in sorted(paths) if not any(routes(path, conf) for conf in URLCONFS)]
    assert not missing, f"{page.name} names URLs that no URLconf routes: {missing}"


def routes(path: str, urlconf: str) -> bool:
    """Whether the URLconf serves ``path``, or has URLs under it (``/accounts/``)."""
    try:
        resolve(path, urlconf)
    except Resolver404:
        prefix = path.lstrip("/")
        return bool(prefix) and any(
            str(pattern.pattern).startswith(prefix)
            for pattern in get_resolver(urlconf).url_patterns
        )
    return True
