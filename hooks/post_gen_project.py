"""Finish the generated project (run by cookiecutter with the project root as cwd).

Resolves the option blocks (`include_blog`, `include_billing`, `include_api`) and removes the files
of each part that is not wanted. A `>>> include_X` block is kept when the option is "y"; a
`>>> not include_X` block (what a project without the part needs instead) only when it is "n".
Works offline: no network, no package installs, no git. Writes nothing random: the same answers
and template commit give byte-identical files, which `cruft update` relies on.
"""

import os
import re
import shutil
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

INCLUDE_BLOG = "{{ cookiecutter.include_blog }}"
INCLUDE_BILLING = "{{ cookiecutter.include_billing }}"
INCLUDE_API = "{{ cookiecutter.include_api }}"

BLOG_PATHS = ("blog_app", "tests/product/test_blog.py")
# Billing: Stripe, trials, unpaid workspaces, the billing and pricing pages. Plans and their
# limits stay (the operator assigns them).
BILLING_PATHS = (
    "billing_app",
    "shared_app/migrations/0009_billing_state.py",
    "tenant_app/billing_views.py",
    "tenant_app/templates/tenant_app/billing.html",
    "main_app/templates/main_app/pricing.html",
    "templates/upgrade_link.html",
    "docs/billing.md",
    "tests/fake_stripe",
    "tests/product/billing.py",
    "tests/product/test_billing_console.py",
    "tests/product/test_stripe.py",
    "tests/product/test_trials.py",
    "tests/product/test_unpaid.py",
)
# The REST API: DRF at /api/v1/, keys, usage, the API host.
API_PATHS = (
    "tenant_app/api",
    "tenant_app/management/commands/createapikey.py",
    "tenant_app/migrations/0003_api_keys.py",
    "tenant_app/migrations/0004_api_usage.py",
    "shared_app/migrations/0010_api_usage.py",
    "main_app/api_usage.py",
    "main_app/templates/main_app/console/api_usage.html",
    "templates/drf_spectacular",
    "docs/api.md",
    "tests/product/test_api.py",
    "tests/product/test_api_host.py",
    "tests/product/test_api_keys.py",
    "tests/product/test_api_limits.py",
    "tests/product/test_api_redis.py",
    "tests/product/test_api_schema.py",
)
OPTION_PATHS = {
    "include_blog": BLOG_PATHS,
    "include_billing": BILLING_PATHS,
    "include_api": API_PATHS,
}
SKIPPED_DIRS = frozenset({".git", ".pgdata", "__pycache__"})


def marker_re(option: str) -> re.Pattern[str]:
    """Match a whole start (`>>>`) or end (`<<<`) marker line, `#` or `<!-- -->` style."""
    name = re.escape(option)
    return re.compile(rf"[ \t]*(?:#|<!--)[ \t]*(>>>|<<<)[ \t]*{name}[ \t]*(?:-->)?[ \t]*\r?\n?")


def line_marker_re(option: str) -> re.Pattern[str]:
    """Match a line ending with `# >>> option <<<`: the line alone is the block (an import,
    where the formatter allows no comment line)."""
    name = re.escape(option)
    return re.compile(rf"(.*?\S)[ \t]+#[ \t]*>>>[ \t]*{name}[ \t]*<<<[ \t]*(\r?\n?)")


def apply_option_blocks(text: str, option: str, keep: bool) -> str:
    """Drop the marker lines of `option` blocks; drop the blocks' content too unless `keep`.
    A line ending with a `# >>> option <<<` marker is a one-line block."""
    pattern = marker_re(option)
    one_line = line_marker_re(option)
    result: list[str] = []
    start_line = 0
    for number, line in enumerate(text.splitlines(keepends=True), start=1):
        marker = pattern.fullmatch(line)
        kind = marker[1] if marker else None
        single = one_line.fullmatch(line)
        if single:
            if keep:
                result.append(single[1] + single[2])
            continue
        if kind == ">>>":
            if start_line:
                raise ValueError(
                    f"line {number}: '>>> {option}' inside the block opened on line {start_line}"
                )
            start_line = number
        elif kind == "<<<":
            if not start_line:
                raise ValueError(
                    f"line {number}: '<<< {option}' without a '>>> {option}' before it"
                )
            start_line = 0
        elif keep or not start_line:
            result.append(line)
    if start_line:
        raise ValueError(f"line {start_line}: '>>> {option}' without a matching '<<< {option}'")
    return "".join(result)


def iter_text_files(project_dir: Path) -> Iterator[tuple[Path, str]]:
    """Yield (path, text) of every UTF-8 text file, skipping SKIPPED_DIRS and binary files."""
    for root, dirs, files in os.walk(project_dir):
        dirs[:] = sorted(d for d in dirs if d not in SKIPPED_DIRS)
        for name in sorted(files):
            path = Path(root, name)
            data = path.read_bytes()
            if b"\0" in data:
                continue
            try:
                yield path, data.decode("utf-8")
            except UnicodeDecodeError:
                continue


# Three or more blank lines (after a line break), which Python's formatters never leave.
TOO_MANY_BLANK_LINES = re.compile(r"(\r?\n)(?:[ \t]*\r?\n){3,}")


def trim_end(text: str) -> str:
    """``text`` without the blank lines a block at its end leaves (one line break kept)."""
    stripped = text.rstrip("\r\n")
    return stripped + text[len(stripped) :][:2].replace("\n\n", "\n") if stripped else text


def apply_option_blocks_to_tree(project_dir: Path, option: str, keep: bool) -> None:
    """Resolve the `option` blocks in every text file; errors name the file."""
    for path, text in iter_text_files(project_dir):
        try:
            new_text = apply_option_blocks(text, option, keep)
        except ValueError as error:
            raise ValueError(f"{path.relative_to(project_dir)}: {error}") from error
        if new_text != text:
            if path.suffix == ".py":  # a block removed between blank lines leaves too many
                new_text = TOO_MANY_BLANK_LINES.sub(r"\1\1\1", new_text)
            path.write_bytes(trim_end(new_text).encode("utf-8"))


def remove_paths(project_dir: Path, relative_paths: Iterable[str]) -> None:
    """Delete the given files and folders if present."""
    for relative_path in relative_paths:
        path = project_dir / relative_path
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()


def finish_project(
    project_dir: Path, include_blog: bool, include_billing: bool = True, include_api: bool = True
) -> None:
    """Apply every post-generation step to the project in `project_dir`."""
    wanted = {
        "include_blog": include_blog,
        "include_billing": include_billing,
        "include_api": include_api,
    }
    for option, keep in wanted.items():
        if not keep:
            remove_paths(project_dir, OPTION_PATHS[option])
        apply_option_blocks_to_tree(project_dir, option, keep=keep)
        apply_option_blocks_to_tree(project_dir, f"not {option}", keep=not keep)


def main() -> None:
    """Finish the project in the current directory; on a broken template print why and exit 1."""
    try:
        finish_project(
            Path.cwd(),
            include_blog=INCLUDE_BLOG == "y",
            include_billing=INCLUDE_BILLING == "y",
            include_api=INCLUDE_API == "y",
        )
    except ValueError as error:
        print(f"ERROR: {error}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
