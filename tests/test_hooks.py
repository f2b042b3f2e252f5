"""Unit tests for hooks/*.py (imported from their files), and bakes that pre-gen stops."""

import ast
import importlib.util
import json
import shutil
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest
from cookiecutter.environment import StrictEnvironment
from cookiecutter.exceptions import FailedHookException
from cookiecutter.main import cookiecutter

TEMPLATE_DIR = Path(__file__).resolve().parents[1]
HOOKS_DIR = TEMPLATE_DIR / "hooks"


def load_module(path: Path) -> ModuleType:
    """Import the Python file at `path` as a module (so its main() does not run)."""
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec
    assert spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


pre = load_module(HOOKS_DIR / "pre_gen_project.py")
post = load_module(HOOKS_DIR / "post_gen_project.py")

VALID_ANSWERS = {
    "project_name": "My SaaS",
    "project_slug": "my_saas",
    "description": "A SaaS",
    "author_name": "Ada Lovelace",
    "domain_name": "example.com",
    "timezone": "UTC",
    "include_blog": "y",
    "include_billing": "y",
    "include_api": "y",
}


def render_hook(name: str, answers: dict[str, str], tmp_path: Path) -> ModuleType:
    """Render hooks/<name>.py the way cookiecutter does and import the result."""
    context = {"cookiecutter": answers}
    source = (HOOKS_DIR / f"{name}.py").read_text(encoding="utf-8")
    rendered = tmp_path / f"{name}.py"
    rendered.write_text(
        StrictEnvironment(context=context).from_string(source).render(**context), encoding="utf-8"
    )
    return load_module(rendered)


# --- pre_gen_project: project_name -------------------------------------------------------------


def test_project_name_accepts_text() -> None:
    pre.validate_project_name("Acme Billing")


@pytest.mark.parametrize("name", ["", "   ", "\t\n"])
def test_project_name_rejects_blank(name: str) -> None:
    with pytest.raises(ValueError, match=r'project_name must not be empty, e\.g\. "My SaaS"'):
        pre.validate_project_name(name)


@pytest.mark.parametrize("question", ["project_name", "description", "author_name"])
@pytest.mark.parametrize(
    "answer", ['Bob "The" Builder', "back\\slash", "two\nlines", "bell\x07", "del\x7f", "tab\there"]
)
def test_free_text_answers_reject_what_breaks_string_literals(question: str, answer: str) -> None:
    with pytest.raises(ValueError, match=rf"^{question} must be one line without double quotes"):
        pre.validate_answers({**VALID_ANSWERS, question: answer})


def test_project_name_fits_on_one_line_of_the_settings() -> None:
    pre.validate_project_name("x" * 80)
    pre.validate_project_name("日" * 40)
    with pytest.raises(ValueError, match="81 columns wide"):
        pre.validate_project_name("x" * 81)
    with pytest.raises(ValueError, match="82 columns wide"):
        pre.validate_project_name("日" * 41)


# --- pre_gen_project: project_slug -------------------------------------------------------------


@pytest.mark.parametrize("slug", ["my_saas", "acme", "a", "shop2", "billing_v2_app"])
def test_project_slug_accepts_lowercase_identifier(slug: str) -> None:
    pre.validate_project_slug(slug)


@pytest.mark.parametrize("slug", ["", "My_saas", "my-saas", "my saas", "2shop", "_private", "café"])
def test_project_slug_rejects_non_identifier_with_example(slug: str) -> None:
    with pytest.raises(ValueError) as error:
        pre.validate_project_slug(slug)
    message = str(error.value)
    assert f'project_slug "{slug}" is not a valid Python package name' in message
    assert 'e.g. "my_saas"' in message


@pytest.mark.parametrize("slug", ["class", "import", "lambda"])
def test_project_slug_rejects_keyword(slug: str) -> None:
    with pytest.raises(ValueError, match=f'"{slug}" is a Python keyword.*"my_{slug}"'):
        pre.validate_project_slug(slug)


@pytest.mark.parametrize("slug", sorted(pre.RESERVED_SLUGS))
def test_project_slug_rejects_project_module_names(slug: str) -> None:
    with pytest.raises(ValueError, match=f'"{slug}" clashes with a module or folder'):
        pre.validate_project_slug(slug)


@pytest.mark.parametrize("slug", ["json", "email", "logging", "secrets", "string", "zoneinfo"])
def test_project_slug_rejects_stdlib_module_names(slug: str) -> None:
    with pytest.raises(ValueError, match=f'shadows the standard library module "{slug}"'):
        pre.validate_project_slug(slug)


@pytest.mark.parametrize("slug", ["class", "pgschemas", "json"])
def test_project_slug_suggestion_is_itself_valid(slug: str) -> None:
    pre.validate_project_slug(f"my_{slug}")


def test_project_slug_default_from_project_name_is_valid() -> None:
    cookiecutter_json = json.loads((TEMPLATE_DIR / "cookiecutter.json").read_text())
    context = {"cookiecutter": cookiecutter_json}
    env = StrictEnvironment(context=context)
    slug = env.from_string(cookiecutter_json["project_slug"]).render(**context)
    pre.validate_project_slug(slug)


# --- pre_gen_project: domain_name --------------------------------------------------------------


@pytest.mark.parametrize(
    "domain",
    ["example.com", "my-saas.example.co.uk", "a.io", "xn--bcher-kva.de", f"{'a' * 63}.com"],
)
def test_domain_name_accepts_host_name(domain: str) -> None:
    pre.validate_domain_name(domain)


@pytest.mark.parametrize(
    ("domain", "problem"),
    [
        ("https://example.com", "without a scheme"),
        ("example.com/app", "without a path"),
        ("example.com:8000", "without a port"),
        ("localhost", "is not a production domain"),
        ("example", "is not a production domain"),
        ("", "is not a production domain"),
        ("-example.com", 'invalid label "-example"'),
        ("example-.com", 'invalid label "example-"'),
        ("my_site.com", 'invalid label "my_site"'),
        ("example..com", 'invalid label ""'),
        ("example.com.", 'invalid label ""'),
        (f"{'a' * 64}.com", f'invalid label "{"a" * 64}"'),
        ("exa mple.com", 'invalid label "exa mple"'),
        ("127.0.0.1", "looks like an IP address"),
    ],
)
def test_domain_name_rejects_with_reason_and_example(domain: str, problem: str) -> None:
    with pytest.raises(ValueError) as error:
        pre.validate_domain_name(domain)
    assert problem in str(error.value)
    assert 'e.g. "example.com"' in str(error.value)


def test_domain_name_rejects_upper_case_suggesting_lower_case() -> None:
    with pytest.raises(ValueError, match=r'must be lower-case; use "shop\.example\.com" instead'):
        pre.validate_domain_name("Shop.Example.COM")


def test_domain_name_checks_labels_before_case_so_the_suggestion_is_valid() -> None:
    with pytest.raises(ValueError, match='invalid label "My_Shop"'):
        pre.validate_domain_name("My_Shop.com")


def test_domain_name_leaves_room_for_a_sub_domain() -> None:
    pre.validate_domain_name(".".join(["a" * 63, "b" * 63, "c" * 61]))  # 189 characters
    domain = ".".join(["a" * 63, "b" * 63, "c" * 62])  # 190 characters, every label valid
    with pytest.raises(ValueError, match="190 characters long; customers are served at its sub"):
        pre.validate_domain_name(domain)


# --- pre_gen_project: timezone and the include_ options ----------------------------------------


@pytest.mark.parametrize("name", ["UTC", "Europe/Berlin", "America/Argentina/Buenos_Aires"])
def test_timezone_accepts_iana_name(name: str) -> None:
    pre.validate_timezone(name)


def test_timezone_rejects_unknown_name_with_example() -> None:
    with pytest.raises(ValueError, match=r'timezone "Mars/Olympus" is not an IANA time zone name'):
        pre.validate_timezone("Mars/Olympus")


def test_timezone_suggests_closest_known_name() -> None:
    with pytest.raises(ValueError, match='use e.g. "Europe/Berlin"'):
        pre.validate_timezone("europe/berlin")


OPTIONS = ["include_blog", "include_billing", "include_api"]


@pytest.mark.parametrize("option", OPTIONS)
@pytest.mark.parametrize("answer", ["y", "n"])
def test_include_options_accept_y_or_n(option: str, answer: str) -> None:
    pre.validate_answers({**VALID_ANSWERS, option: answer})


@pytest.mark.parametrize("option", OPTIONS)
@pytest.mark.parametrize("answer", ["yes", "Y", "", "true"])
def test_include_options_reject_other_answers(option: str, answer: str) -> None:
    with pytest.raises(ValueError, match=f'^{option} must be "y" or "n", not "{answer}"'):
        pre.validate_answers({**VALID_ANSWERS, option: answer})


# --- pre_gen_project: whole hook ---------------------------------------------------------------


def test_validate_answers_accepts_defaults() -> None:
    pre.validate_answers(VALID_ANSWERS)


def test_validate_answers_reports_first_bad_answer_only() -> None:
    answers = {**VALID_ANSWERS, "project_slug": "config", "domain_name": "localhost"}
    with pytest.raises(ValueError, match="project_slug") as error:
        pre.validate_answers(answers)
    assert "domain_name" not in str(error.value)


def test_pre_gen_main_prints_one_message_and_exits_1(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(pre, "ANSWERS_JSON", json.dumps({**VALID_ANSWERS, "timezone": "Nowhere"}))
    with pytest.raises(SystemExit) as exit_info:
        pre.main()
    assert exit_info.value.code == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith('ERROR: timezone "Nowhere"')
    assert err.count("\n") == 1


def test_pre_gen_hook_renders_answers_with_quotes_and_backslashes_as_valid_python(
    tmp_path: Path,
) -> None:
    answers = {**VALID_ANSWERS, "project_name": "Bob's \"SaaS\" \\o/ '''", "domain_name": '\\"'}
    rendered = render_hook("pre_gen_project", answers, tmp_path)
    assert json.loads(rendered.ANSWERS_JSON) == answers


# --- post_gen_project: helpers ------------------------------------------------------------------


def write(path: Path, text: str) -> Path:
    """Create `path` (and its folders) holding `text`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def tree_bytes(folder: Path) -> dict[str, bytes]:
    """Every file under `folder`, by its relative path, with its bytes."""
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


# --- post_gen_project: option blocks -----------------------------------------------------------

HASH_BLOCKS = """\
INSTALLED_APPS = [
    "main_app",
    # >>> include_blog
    "blog_app",
    # <<< include_blog
]
"""

HTML_BLOCKS = """\
<nav>
  <a href="/">Home</a>
  <!-- >>> include_blog -->
  <a href="/blog/">Blog</a>
  <!-- <<< include_blog -->
</nav>
"""


def test_option_blocks_kept_without_markers() -> None:
    expected = 'INSTALLED_APPS = [\n    "main_app",\n    "blog_app",\n]\n'
    assert post.apply_option_blocks(HASH_BLOCKS, "include_blog", keep=True) == expected


def test_option_blocks_removed_with_markers() -> None:
    expected = 'INSTALLED_APPS = [\n    "main_app",\n]\n'
    assert post.apply_option_blocks(HASH_BLOCKS, "include_blog", keep=False) == expected


def test_html_comment_option_blocks_kept_without_markers() -> None:
    expected = '<nav>\n  <a href="/">Home</a>\n  <a href="/blog/">Blog</a>\n</nav>\n'
    assert post.apply_option_blocks(HTML_BLOCKS, "include_blog", keep=True) == expected


def test_html_comment_option_blocks_removed_with_markers() -> None:
    expected = '<nav>\n  <a href="/">Home</a>\n</nav>\n'
    assert post.apply_option_blocks(HTML_BLOCKS, "include_blog", keep=False) == expected


def test_option_blocks_keep_crlf_line_endings() -> None:
    text = "a\r\n# >>> include_blog\r\nb\r\n# <<< include_blog\r\nc"
    assert post.apply_option_blocks(text, "include_blog", keep=True) == "a\r\nb\r\nc"


def test_option_blocks_leave_text_without_markers_unchanged() -> None:
    text = "# >>> include_blog_extra\nx = '# >>> include_blog'\n"
    assert post.apply_option_blocks(text, "include_blog", keep=False) == text


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("a\n# >>> include_blog\nb\n", "line 2: '>>> include_blog' without a matching"),
        ("a\n<!-- <<< include_blog -->\n", "line 2: '<<< include_blog' without a '>>>"),
        ("# >>> include_blog\n# >>> include_blog\n", "inside the block opened on line 1"),
    ],
)
def test_option_blocks_reject_unmatched_markers(text: str, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        post.apply_option_blocks(text, "include_blog", keep=True)


def test_option_blocks_in_tree_error_names_the_file(tmp_path: Path) -> None:
    write(tmp_path / "templates/base.html", "<!-- >>> include_blog -->\n<a>Blog</a>\n")
    with pytest.raises(ValueError, match=r"^templates/base\.html: line 1: '>>> include_blog'"):
        post.apply_option_blocks_to_tree(tmp_path, "include_blog", keep=True)


def test_option_blocks_in_tree_skip_binary_and_ignored_folders(tmp_path: Path) -> None:
    unmatched = b"# >>> include_blog\n"
    binary = tmp_path / "static/logo.png"
    binary.parent.mkdir()
    binary.write_bytes(b"\x89PNG\0" + unmatched)
    latin1 = tmp_path / "docs/legacy.txt"
    latin1.parent.mkdir()
    latin1.write_bytes(b"caf\xe9\n" + unmatched)
    for folder in post.SKIPPED_DIRS:
        write(tmp_path / folder / "file.txt", unmatched.decode())
    post.apply_option_blocks_to_tree(tmp_path, "include_blog", keep=False)
    assert binary.read_bytes() == b"\x89PNG\0" + unmatched
    assert latin1.read_bytes() == b"caf\xe9\n" + unmatched


# --- post_gen_project: whole hook --------------------------------------------------------------


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A miniature generated project with blog files, markers and settings."""
    root = tmp_path / "project"
    write(root / "config/settings/base.py", HASH_BLOCKS)
    write(root / "config/settings/local.py", 'SECRET_KEY = "from .env"\n')
    write(root / "templates/base.html", HTML_BLOCKS)
    write(root / "blog_app/models.py", "class Post: ...\n")
    write(root / "tests/product/test_blog.py", "def test_post(): ...\n")
    write(root / "tests/test_main.py", "def test_home(): ...\n")
    return root


def test_finish_project_without_blog_removes_blog_files_and_blocks(project: Path) -> None:
    post.finish_project(project, include_blog=False)
    assert not (project / "blog_app").exists()
    assert not (project / "tests/product/test_blog.py").exists()
    assert (project / "tests/test_main.py").exists()
    assert "blog" not in (project / "config/settings/base.py").read_text(encoding="utf-8")
    assert "blog" not in (project / "templates/base.html").read_text(encoding="utf-8")


def test_finish_project_with_blog_keeps_blog_and_drops_markers(project: Path) -> None:
    post.finish_project(project, include_blog=True)
    assert (project / "blog_app/models.py").exists()
    assert (project / "tests/product/test_blog.py").exists()
    base = (project / "config/settings/base.py").read_text(encoding="utf-8")
    assert '"blog_app"' in base
    assert "include_blog" not in base
    assert "include_blog" not in (project / "templates/base.html").read_text(encoding="utf-8")


def test_not_blocks_are_kept_only_when_the_option_is_off() -> None:
    text = "a\n# >>> not include_billing\nb\n# <<< not include_billing\nc\n"
    without = post.apply_option_blocks(text, "not include_billing", keep=True)
    assert without == "a\nb\nc\n"
    assert post.apply_option_blocks(text, "not include_billing", keep=False) == "a\nc\n"
    assert post.apply_option_blocks(text, "include_billing", keep=False) == text


def test_a_line_ending_with_a_marker_is_a_block_of_one_line() -> None:
    text = "import os\nimport stripe  # >>> include_billing <<<\nx = 1  # a comment\n"
    assert post.apply_option_blocks(text, "include_billing", keep=True) == (
        "import os\nimport stripe\nx = 1  # a comment\n"
    )
    assert post.apply_option_blocks(text, "include_billing", keep=False) == (
        "import os\nx = 1  # a comment\n"
    )


def test_a_one_line_marker_inside_a_kept_block_is_dropped_too() -> None:
    text = "# >>> include_api\nimport rest_framework  # >>> include_api <<<\n# <<< include_api\n"
    assert post.apply_option_blocks(text, "include_api", keep=True) == "import rest_framework\n"


def test_a_python_block_removed_between_blank_lines_leaves_at_most_two(tmp_path: Path) -> None:
    source = "x = 1\n\n\n# >>> include_api\ndef api():\n    pass\n\n\n# <<< include_api\n"
    module = write(tmp_path / "module.py", source + "\n\ny = 2\n")
    write(
        tmp_path / "notes.md", "a\n\n\n<!-- >>> include_api -->\nb\n<!-- <<< include_api -->\n\nc\n"
    )
    post.apply_option_blocks_to_tree(tmp_path, "include_api", keep=False)
    assert module.read_text() == "x = 1\n\n\ny = 2\n"
    assert (tmp_path / "notes.md").read_text() == "a\n\n\n\nc\n"  # only Python is tidied


def test_a_block_at_the_end_of_a_file_leaves_no_blank_lines_there(tmp_path: Path) -> None:
    source = "x = 1\n\n\n# >>> include_api\ndef api():\n    pass\n\n\n# <<< include_api\n"
    kept = write(tmp_path / "kept" / "module.py", source)
    dropped = write(tmp_path / "dropped" / "module.py", source)
    post.apply_option_blocks_to_tree(kept.parent, "include_api", keep=True)
    post.apply_option_blocks_to_tree(dropped.parent, "include_api", keep=False)
    assert kept.read_text() == "x = 1\n\n\ndef api():\n    pass\n"
    assert dropped.read_text() == "x = 1\n"


PART_FILES = {
    "include_billing": ["billing_app/models.py", "tests/fake_stripe/server.py", "docs/billing.md"],
    "include_api": ["tenant_app/api/views.py", "tests/product/test_api.py", "docs/api.md"],
}
OPTION_SETTINGS = """\
INSTALLED_APPS = [
    "tenant_app",
    # >>> include_billing
    "billing_app",
    # <<< include_billing
    # >>> include_api
    "rest_framework",
    # <<< include_api
]
# >>> not include_billing
PLANS_ASSIGNED_BY = "operator"
# <<< not include_billing
"""


@pytest.fixture
def parts_project(tmp_path: Path) -> Path:
    """A miniature project with billing and API files and blocks."""
    root = tmp_path / "parts"
    write(root / "config/settings/base.py", OPTION_SETTINGS)
    for path in [*PART_FILES["include_billing"], *PART_FILES["include_api"]]:
        write(root / path, "x = 1\n")
    write(root / "tenant_app/models.py", "class Project: ...\n")
    return root


@pytest.mark.parametrize("option", ["include_billing", "include_api"])
def test_finish_project_without_a_part_removes_its_files_and_blocks(
    parts_project: Path, option: str
) -> None:
    other = next(name for name in PART_FILES if name != option)
    post.finish_project(parts_project, include_blog=True, **{option: False})
    settings = (parts_project / "config/settings/base.py").read_text(encoding="utf-8")
    assert [p for p in PART_FILES[option] if (parts_project / p).exists()] == []
    assert all((parts_project / p).exists() for p in PART_FILES[other])
    assert (parts_project / "tenant_app/models.py").exists()
    assert ("billing_app" in settings) is (option != "include_billing")
    assert ("rest_framework" in settings) is (option != "include_api")
    assert ("PLANS_ASSIGNED_BY" in settings) is (option == "include_billing")
    assert "include_" not in settings


def test_finish_project_with_every_part_keeps_them_and_drops_markers(parts_project: Path) -> None:
    post.finish_project(parts_project, include_blog=True)
    settings = (parts_project / "config/settings/base.py").read_text(encoding="utf-8")
    assert all((parts_project / p).exists() for paths in PART_FILES.values() for p in paths)
    assert '"billing_app"' in settings and '"rest_framework"' in settings
    assert "PLANS_ASSIGNED_BY" not in settings and "include_" not in settings


def test_every_path_a_part_removes_is_in_the_template() -> None:
    template = HOOKS_DIR.parent / "{{cookiecutter.project_slug}}"
    missing = [
        p for paths in post.OPTION_PATHS.values() for p in paths if not (template / p).exists()
    ]
    assert missing == []


@pytest.mark.parametrize("include_blog", [True, False])
def test_finish_project_gives_byte_identical_files_every_time(
    project: Path, tmp_path: Path, include_blog: bool
) -> None:
    # cruft update diffs two renders: anything random would show up as a change to merge.
    copy = tmp_path / "copy"
    shutil.copytree(project, copy)
    post.finish_project(project, include_blog=include_blog)
    post.finish_project(copy, include_blog=include_blog)
    assert tree_bytes(project) == tree_bytes(copy)


def test_post_gen_main_reports_broken_marker_and_exits_1(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    write(tmp_path / "README.md", "<!-- >>> include_blog -->\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(post, "INCLUDE_BLOG", "n")
    with pytest.raises(SystemExit) as exit_info:
        post.main()
    assert exit_info.value.code == 1
    assert capsys.readouterr().err == (
        "ERROR: README.md: line 1: '>>> include_blog' without a matching '<<< include_blog'\n"
    )


def test_post_gen_hook_renders_to_valid_python_with_the_answer(tmp_path: Path) -> None:
    answers = {**VALID_ANSWERS, "include_blog": "n", "include_billing": "n", "include_api": "y"}
    rendered = render_hook("post_gen_project", answers, tmp_path)
    options = (rendered.INCLUDE_BLOG, rendered.INCLUDE_BILLING, rendered.INCLUDE_API)
    assert options == ("n", "n", "y")
    assert rendered.OPTION_PATHS == post.OPTION_PATHS


# --- real bakes stopped by the pre-gen hook ----------------------------------------------------


@pytest.fixture
def output_dir(tmp_path: Path) -> Path:
    """An empty folder to bake into."""
    path = tmp_path / "out"
    path.mkdir()
    return path


@pytest.fixture
def bake(tmp_path: Path, output_dir: Path) -> Callable[..., str]:
    """Bake the template with the given answers, using a private config (no replay files in ~)."""
    config = tmp_path / "cookiecutter.yaml"
    config.write_text(
        f"cookiecutters_dir: {tmp_path / 'cookiecutters'}\nreplay_dir: {tmp_path / 'replay'}\n"
    )

    def run(**answers: str) -> str:
        return cookiecutter(
            str(TEMPLATE_DIR),
            no_input=True,
            extra_context=answers,
            output_dir=str(output_dir),
            config_file=str(config),
        )

    return run


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        ({"project_slug": "pgschemas"}, 'ERROR: project_slug "pgschemas" clashes'),
        ({"project_slug": "My-App"}, 'ERROR: project_slug "My-App" is not a valid Python package'),
        ({"project_slug": "json"}, 'ERROR: project_slug "json" shadows the standard library'),
        ({"domain_name": "https://example.com/"}, 'ERROR: domain_name "https://example.com/"'),
        ({"domain_name": "localhost"}, 'ERROR: domain_name "localhost" is not a production'),
        ({"timezone": "Mars/Olympus"}, 'ERROR: timezone "Mars/Olympus" is not an IANA'),
        ({"project_name": 'The "Best" SaaS', "project_slug": "best"}, "ERROR: project_name must"),
    ],
)
def test_a_bad_answer_fails_the_bake_with_its_message_and_leaves_no_folder(
    bake: Callable[..., str],
    output_dir: Path,
    capfd: pytest.CaptureFixture[str],
    answers: dict[str, str],
    message: str,
) -> None:
    with pytest.raises(FailedHookException, match=r"exit status: 1"):
        bake(**answers)
    assert message in capfd.readouterr().err
    assert list(output_dir.iterdir()) == []


@pytest.mark.parametrize("hook", ["pre_gen_project", "post_gen_project"])
def test_hook_imports_only_the_standard_library(hook: str) -> None:
    # cookiecutter runs hooks with its own interpreter, where only the stdlib is sure to exist.
    tree = ast.parse((HOOKS_DIR / f"{hook}.py").read_text(encoding="utf-8"))
    imported = {
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    }
    imported |= {
        node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module
    }
    assert {name.split(".")[0] for name in imported} <= sys.stdlib_module_names
