"""Projects follow the template with cruft: bakes that depend only on the answers, a recorded
origin (`.cruft.json`), and `cruft update` on a project a team has changed, with real cruft and
git in temporary repositories (no tag needed: releases are commits of a copy of the template)."""

import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from harness import ROOT, assert_suite_passes, bake, manage, project_env

PROJECT = "{{cookiecutter.project_slug}}"
GIT_IDENTITY = {
    "GIT_AUTHOR_NAME": "Template Tests",
    "GIT_AUTHOR_EMAIL": "tests@example.com",
    "GIT_COMMITTER_NAME": "Template Tests",
    "GIT_COMMITTER_EMAIL": "tests@example.com",
    "GIT_CONFIG_GLOBAL": os.devnull,  # no user configuration (hooks, signing, templates)
}


def tree_bytes(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` but .git, by its relative path, with its bytes."""
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and ".git" not in path.relative_to(folder).parts
    }


def git(folder: Path, *args: str) -> str:
    result = subprocess.run(
        ["git", *args],
        cwd=folder,
        env={**os.environ, **GIT_IDENTITY},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, f"git {' '.join(args)}: {result.stdout}{result.stderr}"
    return result.stdout


def cruft(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cruft", *args],
        cwd=folder,
        env={**os.environ, **GIT_IDENTITY},
        capture_output=True,
        text=True,
        timeout=600,
    )


def commit_all(folder: Path, message: str) -> str:
    git(folder, "add", "-A")
    git(folder, "commit", "-q", "-m", message)
    return git(folder, "rev-parse", "HEAD").strip()


def edit(path: Path, old: str, new: str) -> None:
    """Replace the one occurrence of ``old`` in ``path`` by ``new``."""
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{path}: {old!r} found {text.count(old)} times"
    path.write_text(text.replace(old, new), encoding="utf-8")


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def copy_template(destination: Path) -> Path:
    """This template's files (committed and not yet committed, as git sees them) in a new git
    repository at ``destination``, committed as its first release."""
    listed = git(ROOT, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if source.is_file() and not source.is_symlink():
            (destination / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, destination / name)
    git(destination, "init", "-q", "-b", "main")
    commit_all(destination, "Release 1")
    return destination


# --- renders that depend only on the answers ---------------------------------------------------


@pytest.mark.parametrize(
    "answers",
    [
        {},
        {"include_blog": "n", "include_billing": "n", "include_api": "n", "project_name": "Plain"},
    ],
)
def test_two_bakes_of_the_same_answers_are_byte_identical(tmp_path, answers):
    first = bake(tmp_path / "first", **answers)
    second = bake(tmp_path / "second", **answers)
    assert tree_bytes(first) == tree_bytes(second)


def test_no_rendered_file_holds_a_secret_key(default_bake):
    settings = default_bake / "config/settings"
    assert 'development_secret_key(BASE_DIR / ".env")' in (settings / "local.py").read_text()
    assert 'SECRET_KEY = "test-only-' in (settings / "test.py").read_text()
    assert 'env.str("DJANGO_SECRET_KEY")' in (settings / "production.py").read_text()
    assert not (default_bake / ".env").exists()


def test_changelog_entries_are_calver_releases_newest_first_with_after_update_steps():
    entries = re.split(r"^## ", (ROOT / "CHANGELOG.md").read_text(), flags=re.MULTILINE)[1:]
    if entries and entries[0].startswith("Unreleased\n"):  # the next release's entry, if any
        assert "\n### After updating\n" in entries[0], (
            "Unreleased says nothing about after updating"
        )
        entries = entries[1:]
    versions = [entry.splitlines()[0] for entry in entries]
    assert versions, "CHANGELOG.md has no release"
    for version in versions:
        assert re.fullmatch(r"20\d\d\.(?:[1-9]|1[0-2])\.\d+", version), version
    assert versions == sorted(versions, key=lambda v: [int(n) for n in v.split(".")], reverse=True)
    for version, entry in zip(versions, entries, strict=True):
        assert "\n### After updating\n" in entry, f"{version} says nothing about after updating"


# --- cruft create and update on a project a team has changed -----------------------------------

TEAM_APP_MIGRATION = """from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = []

    operations = [
        migrations.CreateModel(
            name="Note",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("text", models.CharField(max_length=200)),
            ],
        ),
    ]
"""


def make_team_changes(project: Path) -> None:
    """What a team does in its first weeks: a new app with a model and its migration, an edited
    view and template, a changed setting, a new dependency."""
    write(project / "notes_app/__init__.py", "")
    write(
        project / "notes_app/apps.py",
        "from django.apps import AppConfig\n\n\nclass NotesAppConfig(AppConfig):\n"
        '    name = "notes_app"\n',
    )
    write(
        project / "notes_app/models.py",
        "from django.db import models\n\n\nclass Note(models.Model):\n"
        "    text = models.CharField(max_length=200)\n",
    )
    write(project / "notes_app/migrations/__init__.py", "")
    write(project / "notes_app/migrations/0001_initial.py", TEAM_APP_MIGRATION)
    base = project / "config/settings/base.py"
    edit(
        base, '            "tenant_app",\n', '            "tenant_app",\n            "notes_app",\n'
    )
    welcome = 'WORKSPACE_WELCOME_PROJECTS = ["Getting started"'
    edit(base, welcome, welcome + ', "Team handbook"')  # a changed setting
    edit(
        project / "main_app/views.py",
        '    return render(request, "main_app/home.html")',
        '    return render(request, "main_app/home.html", {"team_motto": "Ship it"})',
    )
    home = project / "main_app/templates/main_app/home.html"
    first_line = home.read_text(encoding="utf-8").splitlines()[0]
    edit(home, first_line + "\n", first_line + "\n<!-- team: {{ team_motto }} -->\n")
    edit(
        project / "pyproject.toml",
        '    "sentry-sdk>=2.20",\n',
        '    "sentry-sdk>=2.20",\n    "tblib>=3",\n',
    )


def make_release(template: Path) -> str:
    """A template release: files the team did not touch (a new docs page, a changed setting, a
    new dependency, a new migration in tenant_app, the lock file) and one it did (the home page,
    on the line the team edited)."""
    project = template / PROJECT
    write(project / "docs/release-example.md", "# Release example\n\nA page a release adds.\n")
    edit(
        project / "config/settings/local.py",
        'default=["localhost", ".localhost", "127.0.0.1"]',
        'default=["localhost", ".localhost", "127.0.0.1", "[::1]"]',
    )
    edit(
        project / "pyproject.toml",
        '    "psycopg2-binary>=2.9.10",\n',
        '    "psycopg2-binary>=2.9.10",\n    "PyYAML>=6",\n',
    )
    migrations = project / "tenant_app/migrations"
    latest = max(path.stem for path in migrations.glob("0*.py"))
    write(
        migrations / "0099_release_example.py",
        "from django.db import migrations\n\n\nclass Migration(migrations.Migration):\n"
        f'    dependencies = [("tenant_app", "{latest}")]\n\n'
        "    operations = [migrations.RunPython(migrations.RunPython.noop, "
        "migrations.RunPython.noop)]\n",
    )
    with (project / "uv.lock").open("a", encoding="utf-8") as lock:
        lock.write("# changed by the release: the team regenerates its own\n")
    home = project / "main_app/templates/main_app/home.html"
    first_line = home.read_text(encoding="utf-8").splitlines()[0]
    edit(home, first_line + "\n", first_line + "\n<!-- release: a new banner -->\n")
    return commit_all(template, "Release 2")


@dataclass(frozen=True)
class Behind:
    """A project baked with `cruft create` from release 1 of a template copy, committed, changed
    by a team and committed again; the template has a release 2 since."""

    template: Path
    project: Path
    release_1: str
    release_2: str
    before: dict[str, bytes]  # the team's committed project
    cruft_state_before: dict


def project_behind_its_template(work: Path) -> Behind:
    template = copy_template(work / "template")
    release_1 = git(template, "rev-parse", "HEAD").strip()
    created = cruft(work, "create", str(template), "--no-input", "--output-dir", str(work / "out"))
    assert created.returncode == 0, created.stdout + created.stderr
    project = work / "out" / "my_saas"
    git(project, "init", "-q", "-b", "main")
    commit_all(project, "Baked with cruft create")
    make_team_changes(project)
    commit_all(project, "Team changes")
    before = tree_bytes(project)
    cruft_state_before = json.loads((project / ".cruft.json").read_text())
    release_2 = make_release(template)
    return Behind(template, project, release_1, release_2, before, cruft_state_before)


@dataclass(frozen=True)
class Update(Behind):
    output: str  # cruft update's output


@pytest.fixture(scope="module")
def update(tmp_path_factory) -> Update:
    """A project behind its template, updated with `cruft update`."""
    behind = project_behind_its_template(tmp_path_factory.mktemp("updates"))
    updated = cruft(behind.project, "update", "--skip-apply-ask")
    assert updated.returncode == 0, updated.stdout + updated.stderr
    return Update(**vars(behind), output=updated.stdout + updated.stderr)


def answers(cruft_state: dict) -> dict[str, str]:
    """The answers recorded in a `.cruft.json`, without cookiecutter's private `_` keys."""
    context = cruft_state["context"]["cookiecutter"]
    return {key: value for key, value in context.items() if not key.startswith("_")}


def test_cruft_create_records_the_template_its_commit_and_the_answers(update):
    state = update.cruft_state_before
    assert state["template"] == str(update.template)
    assert state["commit"] == update.release_1
    assert answers(state) == {
        "project_name": "My SaaS",
        "project_slug": "my_saas",
        "description": "A multi-tenant SaaS on Django, one PostgreSQL schema per customer.",
        "author_name": "Your Name",
        "domain_name": "example.com",
        "include_blog": "y",
        "include_billing": "y",
        "include_api": "y",
        "timezone": "UTC",
    }


def test_cruft_update_moves_the_recorded_commit_and_keeps_the_answers(update):
    state = json.loads((update.project / ".cruft.json").read_text())
    assert state["commit"] == update.release_2
    assert answers(state) == answers(update.cruft_state_before)


def test_the_release_s_changes_arrive(update):
    project = update.project
    assert (project / "docs/release-example.md").is_file()
    assert '"[::1]"' in (project / "config/settings/local.py").read_text()
    assert '"PyYAML>=6"' in (project / "pyproject.toml").read_text()
    assert (project / "tenant_app/migrations/0099_release_example.py").is_file()


def test_the_team_s_changes_stay(update):
    project = update.project
    for name in ("notes_app/models.py", "notes_app/migrations/0001_initial.py"):
        assert (project / name).read_bytes() == update.before[name]
    base = (project / "config/settings/base.py").read_bytes()
    assert base == update.before["config/settings/base.py"]
    assert b'"team_motto": "Ship it"' in (project / "main_app/views.py").read_bytes()
    assert '"tblib>=3"' in (project / "pyproject.toml").read_text()


def test_the_only_conflict_is_the_file_both_changed(update):
    conflicted = git(update.project, "diff", "--name-only", "--diff-filter=U").split()
    assert conflicted == ["main_app/templates/main_app/home.html"], update.output
    home = (update.project / conflicted[0]).read_text()
    assert "<!-- team: {{ team_motto }} -->" in home
    assert "<!-- release: a new banner -->" in home
    assert "<<<<<<<" in home
    assert not list(update.project.rglob("*.rej"))


def test_nothing_else_changes_not_a_key_nor_the_skipped_lock_file(update):
    status = git(update.project, "status", "--porcelain", "--untracked-files=all")
    changed = sorted(line[3:] for line in status.splitlines())
    assert changed == [
        ".cruft.json",
        "config/settings/local.py",
        "docs/release-example.md",
        "main_app/templates/main_app/home.html",
        "pyproject.toml",
        "tenant_app/migrations/0099_release_example.py",
    ]
    assert (update.project / "uv.lock").read_bytes() == update.before["uv.lock"]


def test_after_resolving_the_conflict_cruft_check_passes_and_the_suite_passes(
    update, postgres_server
):
    project = update.project
    home = project / "main_app/templates/main_app/home.html"
    resolved = [
        line
        for line in home.read_text().splitlines(keepends=True)
        if not line.startswith(("<<<<<<<", "=======", ">>>>>>>"))
    ]
    home.write_text("".join(resolved))  # both lines, the team's and the release's
    commit_all(project, "Update to the template's release 2")

    checked = cruft(project, "check")
    assert checked.returncode == 0, checked.stdout + checked.stderr

    env = project_env(DATABASE_URL=postgres_server.url("template_updates"))
    made = manage(project, env, "makemigrations", "--check", "--dry-run")
    assert made.returncode == 0, made.stdout + made.stderr
    assert_suite_passes(project, env, context="the updated project: ")


def test_a_project_baked_with_cookiecutter_links_to_its_template_commit(tmp_path):
    template = copy_template(tmp_path / "template")
    release_1 = git(template, "rev-parse", "HEAD").strip()
    answers_given = {"project_name": "Acme Cloud", "domain_name": "acme-cloud.io"}
    project = bake(tmp_path / "out", template=template, **answers_given)
    git(project, "init", "-q", "-b", "main")
    commit_all(project, "Baked with cookiecutter")

    linked = cruft(
        project,
        "link",
        str(template),
        "--no-input",
        "--checkout",
        release_1,
        "--extra-context",
        json.dumps(answers_given),
    )

    assert linked.returncode == 0, linked.stdout + linked.stderr
    state = json.loads((project / ".cruft.json").read_text())
    assert state["commit"] == release_1
    assert answers(state)["project_slug"] == "acme_cloud"
    # The template at that commit renders exactly the project: nothing to tell apart.
    diff = cruft(project, "diff", "--exit-code")
    assert diff.returncode == 0, diff.stdout + diff.stderr
    assert cruft(project, "check").returncode == 0


# --- the generated weekly update job ------------------------------------------------------------

WORKFLOW = ".github/workflows/template-update.yml"
SCRIPT = ".github/template-update.sh"


def test_update_workflow_is_a_valid_github_actions_workflow(default_bake):
    # check-jsonschema's copy of the published GitHub Actions workflow schema (no network).
    linted = subprocess.run(
        [
            sys.executable,
            "-m",
            "check_jsonschema",
            "--builtin-schema",
            "vendor.github-workflows",
            str(default_bake / WORKFLOW),
        ],
        capture_output=True,
        text=True,
    )
    assert linted.returncode == 0, linted.stdout + linted.stderr


def test_update_workflow_runs_weekly_and_on_demand_and_opens_a_pull_request(default_bake):
    workflow = yaml.safe_load((default_bake / WORKFLOW).read_text())
    triggers = workflow[True]  # YAML 1.1 reads the key `on` as true
    assert [entry["cron"] for entry in triggers["schedule"]] == ["0 6 * * 1"]
    assert "workflow_dispatch" in triggers
    assert workflow["permissions"] == {"contents": "write", "pull-requests": "write"}
    steps = workflow["jobs"]["update"]["steps"]
    checkout = next(step for step in steps if step.get("uses", "").startswith("actions/checkout"))
    assert checkout["with"]["fetch-depth"] == 0
    script = next(step for step in steps if SCRIPT in step.get("run", ""))
    pull_request = next(
        step for step in steps if step.get("uses", "").startswith("peter-evans/create-pull-request")
    )
    assert pull_request["if"] == f"steps.{script['id']}.outputs.changed == 'true'"
    assert script["run"].endswith('"$RUNNER_TEMP/template-update.md"')
    assert pull_request["with"]["body-path"] == "${{ runner.temp }}/template-update.md"
    assert pull_request["with"]["branch"] == "template-update"


def run_update_script(project: Path, work: Path) -> tuple[subprocess.CompletedProcess[str], str]:
    """The workflow's script in ``project``, with this environment's cruft and uv: its result
    and what it wrote to $GITHUB_OUTPUT."""
    output = work / "github-output"
    output.write_text("")
    tools = Path(sys.executable).parent  # cruft and uv are installed beside this interpreter
    result = subprocess.run(
        ["bash", SCRIPT, str(work / "body.md")],
        cwd=project,
        env={
            **os.environ,
            **GIT_IDENTITY,
            "PATH": f"{tools}{os.pathsep}{os.environ['PATH']}",
            "GITHUB_OUTPUT": str(output),
        },
        capture_output=True,
        text=True,
        timeout=600,
    )
    return result, output.read_text()


def test_update_script_changes_nothing_when_the_template_has_not_moved(tmp_path):
    template = copy_template(tmp_path / "template")
    created = cruft(tmp_path, "create", str(template), "--no-input", "--output-dir", "out")
    assert created.returncode == 0, created.stdout + created.stderr
    project = tmp_path / "out" / "my_saas"
    git(project, "init", "-q", "-b", "main")
    commit_all(project, "Baked with cruft create")

    result, output = run_update_script(project, tmp_path)

    assert result.returncode == 0, result.stdout + result.stderr
    assert output == "changed=false\n"
    assert git(project, "status", "--porcelain") == ""
    assert not (tmp_path / "body.md").exists()


def test_update_script_applies_the_release_relocks_and_lists_the_conflicts(tmp_path):
    behind = project_behind_its_template(tmp_path)
    project = behind.project

    result, output = run_update_script(project, tmp_path)

    assert result.returncode == 0, result.stdout + result.stderr
    assert output == "changed=true\n"
    body = (tmp_path / "body.md").read_text()
    assert f"from commit {behind.release_1} to commit {behind.release_2}" in body
    assert "- `main_app/templates/main_app/home.html`" in body
    assert body.count("\n- `") == 1  # the only conflict
    assert json.loads((project / ".cruft.json").read_text())["commit"] == behind.release_2
    assert git(project, "diff", "--name-only", "--diff-filter=U") == ""  # ready to commit
    lock = (project / "uv.lock").read_text()
    assert 'name = "pyyaml"' in lock  # the release's new dependency
    assert 'name = "tblib"' in lock  # the team's
    assert "changed by the release" not in lock  # regenerated, not merged


def test_update_script_says_when_uv_lock_cannot_run(tmp_path):
    behind = project_behind_its_template(tmp_path)
    django = '"Django>=5.2,<6.2"'
    edit(behind.project / "pyproject.toml", django, '"Django>=5.2,<6.1"')
    commit_all(behind.project, "The team holds Django back")
    edit(behind.template / PROJECT / "pyproject.toml", django, '"Django>=5.2,<6.3"')
    commit_all(behind.template, "Release 3: the next Django")

    result, output = run_update_script(behind.project, tmp_path)

    assert result.returncode == 0, result.stdout + result.stderr
    assert output == "changed=true\n"
    body = (tmp_path / "body.md").read_text()
    assert "- `pyproject.toml`" in body
    assert "`uv lock` failed: resolve the conflicts in pyproject.toml" in body
