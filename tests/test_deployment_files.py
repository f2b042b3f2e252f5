"""compose.yaml, the Dockerfile and uv.lock of a baked project: checked without Docker."""

import os
import re
import shlex
import tomllib
from pathlib import Path

import pytest
import yaml
from harness import run_in

# ${NAME:?message} must come from the operator; ${NAME:-default} has a default.
REQUIRED_VARIABLE = re.compile(r"\$\{(\w+):\?[^}]*\}")
DEFAULTED_VARIABLE = re.compile(r"\$\{(\w+):-([^}]*)\}")


@pytest.fixture(scope="module")
def project(bakes) -> Path:
    return bakes.get("custom")  # project_slug acme_cloud, domain_name acme-cloud.io


def compose(project: Path) -> dict:
    return yaml.safe_load((project / "compose.yaml").read_text())


def interpolate(value: str) -> str:
    """What compose would pass, with a stand-in for each value the operator must provide."""
    value = REQUIRED_VARIABLE.sub(lambda match: f"operator-{match[1].lower()}-" + "x" * 50, value)
    return DEFAULTED_VARIABLE.sub(lambda match: match[2], value)


def test_compose_runs_web_worker_postgresql_and_redis(project):
    services = compose(project)["services"]

    assert {"web", "worker", "db", "redis"} <= set(services)
    assert services["worker"]["command"].startswith("celery -A config.celery_app worker")
    assert services["db"]["image"].startswith("postgres:")
    assert services["redis"]["image"].startswith("redis:")


def test_compose_publishes_the_web_port_on_the_loopback_interface_only(project):
    """Django trusts X-Forwarded-Proto: only the proxy (Caddy, on 80 and 443) may reach it, never
    clients directly."""
    services = compose(project)["services"]
    published = [
        (name, str(port)) for name, service in services.items() for port in service.get("ports", [])
    ]

    assert sorted(published) == [
        ("caddy", "443:443"),
        ("caddy", "80:80"),
        ("web", "127.0.0.1:8000:8000"),
    ]
    assert services["caddy"]["environment"]["CADDY_UPSTREAM"] == "web:8000"
    assert (project / "caddy" / "Caddyfile").is_file()


def test_compose_names_every_variable_the_production_settings_require(project):
    environment = {
        name: interpolate(str(value))
        for name, value in compose(project)["services"]["web"]["environment"].items()
    }
    env = {"PATH": os.environ["PATH"], **environment}

    result = run_in(project, "manage.py", "check", "--deploy", "--fail-level", "WARNING", env=env)

    assert environment["DJANGO_SETTINGS_MODULE"] == "config.settings.production"
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_settings_say_which_variable_is_missing(project):
    environment = {
        name: interpolate(str(value))
        for name, value in compose(project)["services"]["web"]["environment"].items()
        if name != "REDIS_URL"
    }

    result = run_in(project, "manage.py", "check", env={"PATH": os.environ["PATH"], **environment})

    assert result.returncode != 0
    assert "Set the REDIS_URL environment variable" in result.stderr


def test_the_image_runs_the_web_command_of_compose(project):
    dockerfile = (project / "Dockerfile").read_text()
    cmd = re.search(r"^CMD (\[.*\])$", dockerfile, re.MULTILINE)

    assert cmd and yaml.safe_load(cmd[1]) == shlex.split(
        compose(project)["services"]["web"]["command"]
    )
    assert re.search(r"^USER app$", dockerfile, re.MULTILINE)
    assert "manage.py collectstatic --noinput" in dockerfile
    assert "uv sync --locked" in dockerfile


def test_the_lock_pins_everything_from_pypi_and_matches_pyproject(project):
    lock = tomllib.loads((project / "uv.lock").read_text())
    sources = {
        package["name"]: package["source"] for package in lock["package"] if "source" in package
    }

    assert sources.pop("acme-cloud") == {"editable": "."}
    assert set(map(str, sources.values())) == {"{'registry': 'https://pypi.org/simple'}"}
    check = run_in(project, "-m", "uv", "lock", "--locked", env=dict(os.environ))
    assert check.returncode == 0, check.stdout + check.stderr
