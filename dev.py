#!/usr/bin/env python3
"""The template's two commands, for a machine with only Python 3.11+ and pip.

    python3 dev.py run [FOLDER] [--port 8000]   bake the defaults, migrate, seed a demo, serve it
    python3 dev.py test                          every test of the template and of baked projects

Both work in ./.venv, created on first use; only the standard library is needed to start.
"""

import argparse
import hashlib
import os
import subprocess
import sys
import tempfile
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
TEMPLATE_REQUIREMENTS = ROOT / "requirements-dev.txt"
PROJECT_PYPROJECT = ROOT / "{{cookiecutter.project_slug}}" / "pyproject.toml"
DEFAULT_FOLDER = ROOT / "demo"
PROJECT_SLUG = "my_saas"


def venv_python() -> Path:
    scripts = "Scripts" if os.name == "nt" else "bin"
    return VENV / scripts / ("python.exe" if os.name == "nt" else "python")


def run(*command: object, **kwargs: object) -> None:
    subprocess.run([str(part) for part in command], check=True, **kwargs)


def ensure_environment() -> Path:
    """Create ./.venv and install the template's and the baked project's dependencies once.

    Reinstalls only when the requirement files change (a hash of them is kept in the venv).
    """
    python = venv_python()
    if not python.exists():
        print(f"Creating {VENV} ...", flush=True)
        venv.create(VENV, with_pip=True)
    wanted = hashlib.sha256(
        TEMPLATE_REQUIREMENTS.read_bytes() + PROJECT_PYPROJECT.read_bytes()
    ).hexdigest()
    stamp = VENV / ".installed"
    if stamp.exists() and stamp.read_text() == wanted:
        return python
    print("Installing dependencies into .venv ...", flush=True)
    pip = [python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    run(*pip, "-r", TEMPLATE_REQUIREMENTS)
    with tempfile.TemporaryDirectory() as scratch:
        project = bake(python, Path(scratch))
        run(*pip, f"{project}[dev]")
    stamp.write_text(wanted)
    return python


def bake(python: Path, output_dir: Path) -> Path:
    """Bake the template with its default answers into output_dir."""
    run(python, "-m", "cookiecutter", "--no-input", "--output-dir", output_dir, ROOT)
    return output_dir / PROJECT_SLUG


def command_run(folder: Path, port: int) -> None:
    python = ensure_environment()
    project = folder / PROJECT_SLUG
    if (project / "manage.py").exists():
        print(f"Reusing the project in {project}", flush=True)
    else:
        folder.mkdir(parents=True, exist_ok=True)
        bake(python, folder)
        print(f"Baked a new project into {project}", flush=True)
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    env["DJANGO_SETTINGS_MODULE"] = "config.settings.local"
    env["WORKSPACE_URL_PORT"] = str(port)  # links to workspaces (sign-up hand-over, e-mails)
    manage = [python, "manage.py"]
    run(*manage, "migrateschema", "--verbosity", "0", cwd=project, env=env)
    run(*manage, "createdemo", cwd=project, env=env)
    print(
        "\nOpen in a browser:\n"
        f"  http://localhost:{port}/             the public site (static tenant www)\n"
        f"  http://localhost:{port}/signup/      sign up: a new customer and its workspace\n"
        f"  http://localhost:{port}/admin/       the operator admin, admin@example.com / admin\n"
        f"  http://blog.localhost:{port}/        the blog (static tenant blog)\n"
        f"  http://demo.localhost:{port}/        the customer 'demo' (a dynamic tenant): log in\n"
        "                                      as admin@example.com (owner) or member@example.com\n"
        "                                      (member), password admin\n"
        f"  http://demo.localhost:{port}/admin/  its admin, admin@example.com / admin\n"
        "Stop with Ctrl+C.\n",
        flush=True,
    )
    os.chdir(project)
    os.execve(python, [str(python), "manage.py", "runserver", f"localhost:{port}"], env)


def command_test(pytest_args: list[str]) -> int:
    python = ensure_environment()
    return subprocess.call([str(python), "-m", "pytest", *pytest_args], cwd=ROOT)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    run_parser = commands.add_parser("run", help="bake, migrate, seed and serve a demo project")
    run_parser.add_argument("folder", nargs="?", type=Path, default=DEFAULT_FOLDER)
    run_parser.add_argument("--port", type=int, default=8000)
    commands.add_parser("test", help="run every test (extra arguments go to pytest)")
    options, extra = parser.parse_known_args()
    if options.command == "test":
        return command_test(extra)
    if extra:
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    command_run(options.folder.resolve(), options.port)
    return 0


if __name__ == "__main__":
    sys.exit(main())
