"""Bake every option set once; lint, check and run each baked project's own test suite.

The baked suites run with this interpreter (one shared environment, see dev.py). They use the
embedded PostgreSQL; when DATABASE_URL is set, the default bake's suite runs against it as well.
"""

import os
import re
from pathlib import Path
from xml.etree import ElementTree

import pytest
from harness import OPTION_SETS, ROOT, assert_suite_passes, project_env, run_in
from test_hooks import post

TEMPLATE_DIR = ROOT / "{{cookiecutter.project_slug}}"
UNRENDERED = re.compile(
    r"\{\{\s*cookiecutter\.|\{%-?\s*(if|endif|for|endfor|raw)\b|(>>>|<<<) (not )?include_"
)


@pytest.fixture(scope="session", params=list(OPTION_SETS))
def baked(request, bakes) -> Path:
    return bakes.get(request.param)


def text_files(project: Path):
    for path in project.rglob("*"):
        if path.is_file() and ".pgdata" not in path.parts and "__pycache__" not in path.parts:
            try:
                yield path, path.read_text()
            except UnicodeDecodeError:
                continue


def test_nothing_is_left_unrendered(baked):
    leftovers = [
        f"{path.relative_to(baked)}: {match.group(0)}"
        for path, text in text_files(baked)
        if path.suffix != ".html"
        for match in [UNRENDERED.search(text)]
        if match
    ]

    assert leftovers == []


def resolved(text: str, answers: dict[str, str]) -> str:
    """``text`` with its option blocks resolved as the hook does for ``answers``."""
    for option in ("include_blog", "include_billing", "include_api"):
        keep = answers.get(option, "y") == "y"
        text = post.apply_option_blocks(text, option, keep)
        text = post.apply_option_blocks(text, f"not {option}", not keep)
    return text


def test_django_templates_survive_the_bake_unchanged(baked, request):
    answers = OPTION_SETS[request.node.callspec.params["baked"]]
    sources = [
        p for p in TEMPLATE_DIR.rglob("*.html") if (baked / p.relative_to(TEMPLATE_DIR)).exists()
    ]

    assert sources
    for source in sources:
        baked_text = (baked / source.relative_to(TEMPLATE_DIR)).read_text()
        assert baked_text == resolved(source.read_text(), answers)


def test_ruff_check_and_format_pass(baked):
    lint = run_in(baked, "-m", "ruff", "check", "--no-cache", ".")
    formatting = run_in(baked, "-m", "ruff", "format", "--check", "--no-cache", ".")

    assert lint.returncode == 0, lint.stdout + lint.stderr
    assert formatting.returncode == 0, formatting.stdout + formatting.stderr


def test_manage_check_and_no_missing_migrations(baked):
    check = run_in(baked, "manage.py", "check", "--fail-level", "WARNING")
    migrations = run_in(baked, "manage.py", "makemigrations", "--check", "--dry-run")

    assert check.returncode == 0, check.stdout + check.stderr
    assert migrations.returncode == 0, migrations.stdout + migrations.stderr


def test_production_settings_pass_the_deploy_checks(baked):
    env = project_env(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        DJANGO_SECRET_KEY="x" * 64 + "-production-only-secret-for-this-check",
        DATABASE_URL="postgres://app:secret@db.invalid:5432/app",
        REDIS_URL="redis://redis.invalid:6379/0",
        MAILGUN_API_KEY="not-used-by-the-checks",
    )
    result = run_in(baked, "manage.py", "check", "--deploy", "--fail-level", "WARNING", env=env)

    assert result.returncode == 0, result.stdout + result.stderr


# Each bake's suite runs on the embedded server; the defaults' also on DATABASE_URL when set.
SUITE_RUNS = [(name, "embedded") for name in OPTION_SETS]
if os.environ.get("DATABASE_URL"):
    SUITE_RUNS.append(("defaults", "DATABASE_URL"))


@pytest.mark.parametrize(("baked", "database"), SUITE_RUNS, indirect=["baked"])
def test_the_baked_projects_own_suite_passes(baked, database, tmp_path):
    overrides = {"DATABASE_URL": os.environ["DATABASE_URL"]} if database == "DATABASE_URL" else {}
    report = tmp_path / "junit.xml"
    summary = assert_suite_passes(baked, project_env(**overrides), junit_report=report)
    print(f"{baked.name} on {database}: {summary}")
    assert len(passed_browser_tests(report)) >= 2, "the real-browser tests did not run and pass"


def passed_browser_tests(junit_report: Path) -> list[str]:
    """Names of the tests of tests/product/test_browser.py that ran and passed (not skipped)."""
    cases = ElementTree.parse(junit_report).iter("testcase")
    return [
        case.get("name", "")
        for case in cases
        if case.get("classname") == "tests.product.test_browser"
        and not any(case.find(outcome) is not None for outcome in ("skipped", "failure", "error"))
    ]


def test_every_answer_changes_the_output(bakes):
    custom = OPTION_SETS["custom"]
    project = bakes.get("custom")
    settings = (project / "config/settings/base.py").read_text()
    pyproject = (project / "pyproject.toml").read_text()
    readme = (project / "README.md").read_text()

    assert project.name == custom["project_slug"]
    assert f'PROJECT_NAME = "{custom["project_name"]}"' in settings
    assert f'default="{custom["domain_name"]}"' in settings
    assert f'TIME_ZONE = "{custom["timezone"]}"' in settings
    assert f'name = "{custom["project_slug"]}"' in pyproject
    assert custom["description"] in pyproject and custom["description"] in readme
    assert custom["author_name"] in pyproject
    assert custom["project_name"] in readme


# What a part leaves behind when it is off: its words in any file, but the sub-domains a visitor
# would trust as the product's own, which stay reserved ("api", "billing").
TRACES = {
    "include_billing": re.compile(
        r"stripe|billing|\btrial|pricing|price|past_due|grace_days|seats_changed", re.IGNORECASE
    ),
    "include_api": re.compile(
        r"rest_framework|\bdrf|spectacular|apikey|api_key|api key|/api/|api_host|api_usage|"
        r"apiusage|tenant_app\.api|api_requests|\bAPI\b",
    ),
}
ALLOWED_TRACES = {
    re.compile(r'\*\["wpad", "login", "sso", "auth", "accounts", "billing", "support"'),
    re.compile(r'\*\["ftp", "login", "sso", "auth", "accounts", "billing", "support"'),
    re.compile(r"MAILGUN_API_KEY|MAILGUN_API_URL|mail provider's API|get_server\(\)`` API"),
    re.compile(r"such as `login`, `billing`, `status`"),
    re.compile(r'name="on_trial"'),  # the first template's field, removed by a migration
    re.compile(r"an API by a header|API clients (name their workspace|by a header)"),  # routing's
}
PART_FILES = {
    "include_blog": ["blog_app", "tests/product/test_blog.py"],
    "include_billing": ["billing_app", "docs/billing.md", "tests/fake_stripe"],
    "include_api": ["tenant_app/api", "docs/api.md", "templates/drf_spectacular"],
}
PART_PACKAGES = {
    "include_billing": ["stripe"],
    "include_api": ["djangorestframework", "drf-spectacular", "drf-spectacular-sidecar"],
}


@pytest.mark.parametrize("option", list(TRACES))
def test_a_part_turned_off_leaves_no_trace(bakes, option):
    project = bakes.get("everything_off")
    traces = [
        f"{path.relative_to(project)}: {line.strip()}"
        for path, text in text_files(project)
        if path.name != "uv.lock"
        for line in text.splitlines()
        if TRACES[option].search(line) and not any(a.search(line) for a in ALLOWED_TRACES)
    ]
    lock = (project / "uv.lock").read_text()

    assert [name for name in PART_FILES[option] if (project / name).exists()] == []
    assert traces == []
    assert [name for name in PART_PACKAGES[option] if f'name = "{name}"' in lock] == []


def test_every_part_is_there_by_default(bakes):
    project = bakes.get("defaults")
    lock = (project / "uv.lock").read_text()

    assert all((project / name).exists() for names in PART_FILES.values() for name in names)
    assert all(f'name = "{name}"' in lock for names in PART_PACKAGES.values() for name in names)


def test_the_lock_file_matches_the_dependencies_of_each_bake(baked):
    # Resolved offline from uv's cache: the marked lock must be exactly what uv makes.
    result = run_in(baked, "-m", "uv", "lock", "--locked", "--offline")

    assert result.returncode == 0, result.stdout + result.stderr


def test_include_blog_n_removes_the_blog_everywhere(bakes):
    project = bakes.get("everything_off")

    assert not (project / "blog_app").exists()
    assert not (project / "tests" / "product" / "test_blog.py").exists()
    assert [path.name for path, text in text_files(project) if "blog_app" in text] == []
    for settings_file in ("base.py", "local.py"):
        assert "blog" not in (project / "config" / "settings" / settings_file).read_text()
