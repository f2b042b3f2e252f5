"""The default bake's tenants on a real 3-node Citus cluster (coordinator + 2 workers).

Bakes the defaults, starts the project's local cluster (``python -m devtools.citus_cluster``, which
builds Citus from the vendored release tarball once per tarball and PostgreSQL version, cached in
~/.cache/citus-embedded/), runs the baked tenancy tests and tests/test_citus.py against the
coordinator, and stops the cluster. The tarball is ``../shared/vendor/citus-14.0.1.tar.gz`` beside
this repository, or CITUS_SOURCE_TARBALL. Nothing here is skipped: a missing tarball fails.
"""

import os
import re
import tempfile
import time
from pathlib import Path

import pytest
from cookiecutter.main import cookiecutter
from harness import ROOT, project_env, run_in

TARBALL = Path(
    os.environ.get("CITUS_SOURCE_TARBALL")
    or ROOT.parent / "shared" / "vendor" / "citus-14.0.1.tar.gz"
)
# The baked tests of routing, isolation, tenant creation and rollback, migrateschema and
# runschema with every selector, and the Citus-only ones.
SUITE = (
    "tests/tenancy/test_routing.py",
    "tests/tenancy/test_isolation.py",
    "tests/tenancy/test_tenants.py",
    "tests/tenancy/test_commands.py",
    "tests/tenancy/test_citus.py",
)


@pytest.fixture(scope="module")
def cluster():
    """A baked project with its local Citus cluster running; yields (project, DATABASE_URL).
    Baked in a folder of its own, which lives exactly as long as the cluster."""
    assert TARBALL.is_file(), f"No Citus source at {TARBALL}: set CITUS_SOURCE_TARBALL."
    with tempfile.TemporaryDirectory(prefix="citus-bake-") as folder:
        yield from _running_cluster(Path(cookiecutter(str(ROOT), no_input=True, output_dir=folder)))


def _running_cluster(project: Path):
    started = time.perf_counter()
    result = run_in(project, "-m", "devtools.citus_cluster", "start", "--source", str(TARBALL))
    built = "built" if "Building Citus" in result.stdout else "cached build"
    print(f"\ncitus_cluster start ({built}): {time.perf_counter() - started:.1f} s")
    try:
        assert result.returncode == 0, result.stdout + result.stderr
        url = re.search(r"DATABASE_URL=(\S+)", result.stdout).group(1)
        yield project, url
    finally:
        stopped = run_in(project, "-m", "devtools.citus_cluster", "stop")
        assert stopped.returncode == 0, stopped.stdout + stopped.stderr


def test_a_restarted_cluster_reuses_the_build_and_keeps_its_data(cluster):
    project, url = cluster
    assert run_in(project, "-m", "devtools.citus_cluster", "stop").returncode == 0
    result = run_in(project, "-m", "devtools.citus_cluster", "start", "--source", str(TARBALL))

    assert result.returncode == 0, result.stdout + result.stderr
    assert "Building Citus" not in result.stdout
    assert f"DATABASE_URL={url}" in result.stdout
    status = run_in(project, "-m", "devtools.citus_cluster", "status").stdout
    assert status.count("running") == 3, status


def test_the_tenancy_suite_passes_on_the_coordinator(cluster):
    project, url = cluster
    started = time.perf_counter()
    result = run_in(
        project,
        *("-m", "pytest", "-q", "-s", "-n", "0", "-p", "no:cacheprovider", *SUITE),
        env=project_env(DATABASE_URL=url, PGSCHEMAS_CITUS="on"),
    )

    summary = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else ""
    figures = re.findall(r"^(?:placement|move|GET).*$", result.stdout, re.MULTILINE)
    print("\n".join([*figures, f"on Citus: {summary} ({time.perf_counter() - started:.0f} s)"]))
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-3000:]
    assert re.search(r"\d+ passed", summary) and "skipped" not in summary
    assert len(figures) == 3, result.stdout[-3000:]
