"""Finish the generated project (run by cookiecutter with the project root as cwd).

Resolves `include_blog` option blocks and removes the blog files when the blog is not wanted.
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

BLOG_PATHS = ("blog_app", "tests/product/test_blog.py")
SKIPPED_DIRS = frozenset({".git", ".pgdata", "__pycache__"})


def marker_re(option: str) -> re.Pattern[str]:
    """Match a whole start (`>>>`) or end (`<<<`) marker line, `#` or `<!-- -->` style."""
    name = re.escape(option)
    return re.compile(rf"[ \t]*(?:#|<!--)[ \t]*(>>>|<<<)[ \t]*{name}[ \t]*(?:-->)?[ \t]*\r?\n?")


def apply_option_blocks(text: str, option: str, keep: bool) -> str:
    """Drop the marker lines of `option` blocks; drop the blocks' content too unless `keep`."""
    pattern = marker_re(option)
    result: list[str] = []
    start_line = 0
    for number, line in enumerate(text.splitlines(keepends=True), start=1):
        marker = pattern.fullmatch(line)
        kind = marker[1] if marker else None
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


def apply_option_blocks_to_tree(project_dir: Path, option: str, keep: bool) -> None:
    """Resolve the `option` blocks in every text file; errors name the file."""
    for path, text in iter_text_files(project_dir):
        try:
            new_text = apply_option_blocks(text, option, keep)
        except ValueError as error:
            raise ValueError(f"{path.relative_to(project_dir)}: {error}") from error
        if new_text != text:
            path.write_bytes(new_text.encode("utf-8"))


def remove_paths(project_dir: Path, relative_paths: Iterable[str]) -> None:
    """Delete the given files and folders if present."""
    for relative_path in relative_paths:
        path = project_dir / relative_path
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()


def finish_project(project_dir: Path, include_blog: bool) -> None:
    """Apply every post-generation step to the project in `project_dir`."""
    if not include_blog:
        remove_paths(project_dir, BLOG_PATHS)
    apply_option_blocks_to_tree(project_dir, "include_blog", keep=include_blog)


def main() -> None:
    """Finish the project in the current directory; on a broken template print why and exit 1."""
    try:
        finish_project(Path.cwd(), include_blog=INCLUDE_BLOG == "y")
    except ValueError as error:
        print(f"ERROR: {error}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
