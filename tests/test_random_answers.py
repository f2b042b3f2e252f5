"""Random valid answer sets: each bakes, lints and passes `manage.py check`; one runs its suite.

Answers are drawn from wide alphabets and kept only when hooks/pre_gen_project.py accepts them, so
"valid" means exactly what the hook says. The seed is in every test id and failure message; rerun
a draw with `TEMPLATE_ANSWERS_SEED=<seed> python3 dev.py test -k random_answers`.
"""

import json
import os
import random
import secrets
import string
import zoneinfo
from collections.abc import Callable
from pathlib import Path

import pytest
from cookiecutter.environment import StrictEnvironment
from cookiecutter.main import cookiecutter
from harness import ROOT, assert_suite_passes, project_env, run_in
from test_bake import UNRENDERED, text_files
from test_hooks import pre

SEED = int(os.environ.get("TEMPLATE_ANSWERS_SEED") or secrets.randbelow(2**32))
BAKES = 3  # the first one also runs the baked project's own suite
# Braces are left out: cookiecutter renders answers as Jinja before the hook sees them.
TEXT_ALPHABET = (
    string.ascii_letters * 3
    + string.digits
    + " " * 8
    + "'&-.,!?()/:;@#%+*_~<>|=$^`"
    + "éßøçñÅ日本語Ωπ€\u00a0\u2028"
    + '"\\\t\n\x07'  # refused by the hook: drawn to check that only accepted answers are kept
)
SPECIAL_LABELS = ["acme", "globex", "www", "blog", "help", "xn--bcher-kva", "test", "a" * 63]


def draw(candidate: Callable[[], str], validate: Callable[[str], None]) -> str:
    """A candidate the hook's validator accepts."""
    for _ in range(10_000):
        answer = candidate()
        try:
            validate(answer)
        except ValueError:
            continue
        return answer
    raise AssertionError(f"no valid answer drawn (seed {SEED})")


def text(rng: random.Random, longest: int) -> str:
    return "".join(rng.choices(TEXT_ALPHABET, k=rng.randint(0, longest)))


def domain(rng: random.Random) -> str:
    def label() -> str:
        if rng.random() < 0.3:
            return rng.choice(SPECIAL_LABELS)
        size = rng.choice([1, 2, 3, 5, 8, 13, 40, 63])
        return "".join(rng.choices(string.ascii_lowercase + string.digits + "-", k=size))

    return ".".join(label() for _ in range(rng.randint(2, 4)))


def default_slug(project_name: str) -> str:
    """The slug cookiecutter derives from project_name (cookiecutter.json's expression)."""
    expression = json.loads((ROOT / "cookiecutter.json").read_text())["project_slug"]
    context = {"cookiecutter": {"project_name": project_name}}
    return StrictEnvironment(context=context).from_string(expression).render(**context)


def draw_answers(rng: random.Random) -> dict[str, str]:
    """One answer set for cookiecutter's extra_context; no project_slug when the default is valid
    and the draw says so, which leaves cookiecutter to derive it."""
    answers = {"project_name": draw(lambda: text(rng, 90), pre.validate_project_name)}
    slug_alphabet = string.ascii_lowercase + string.digits + "_"
    slug = draw(
        lambda: "".join(rng.choices(slug_alphabet, k=rng.randint(1, 30))),
        pre.validate_project_slug,
    )
    try:
        pre.validate_project_slug(default_slug(answers["project_name"]))
        if rng.random() < 0.5:
            slug = ""
    except ValueError:
        pass
    if slug:
        answers["project_slug"] = slug
    for question, example in (("description", "An app"), ("author_name", "Ada")):
        answers[question] = draw(
            lambda: text(rng, 60),
            lambda answer, q=question, e=example: pre.validate_plain_text(q, answer, e),
        )
    answers["domain_name"] = draw(lambda: domain(rng), pre.validate_domain_name)
    answers["timezone"] = rng.choice(sorted(zoneinfo.available_timezones()))
    for option in ("include_blog", "include_billing", "include_api"):
        answers[option] = rng.choice("yn")
    full = {"project_slug": default_slug(answers["project_name"]), **answers}
    pre.validate_answers(full)  # the hook accepts the whole set
    return answers


_rng = random.Random(SEED)
ANSWER_SETS = [draw_answers(_rng) for _ in range(BAKES)]


@pytest.mark.parametrize(
    "index", range(BAKES), ids=[f"seed={SEED}-{index}" for index in range(BAKES)]
)
def test_random_valid_answers_bake_lint_and_check(index, tmp_path):
    answers = ANSWER_SETS[index]
    context = (
        f"\nseed {SEED} (rerun: TEMPLATE_ANSWERS_SEED={SEED}), answer set {index}: "
        f"{json.dumps(answers, ensure_ascii=False)}\n"
    )
    print(context)
    project = Path(
        cookiecutter(str(ROOT), no_input=True, extra_context=answers, output_dir=tmp_path)
    )
    leftovers = [
        str(path.relative_to(project))
        for path, content in text_files(project)
        if path.suffix != ".html" and UNRENDERED.search(content)
    ]
    lint = run_in(project, "-m", "ruff", "check", "--no-cache", ".")
    formatting = run_in(project, "-m", "ruff", "format", "--check", "--no-cache", ".")
    check = run_in(project, "manage.py", "check", "--fail-level", "WARNING")

    assert leftovers == [], context
    assert lint.returncode == 0, context + lint.stdout + lint.stderr
    assert formatting.returncode == 0, context + formatting.stdout + formatting.stderr
    assert check.returncode == 0, context + check.stdout + check.stderr
    if index == 0:
        print(assert_suite_passes(project, project_env(), context))


def test_the_drawn_answers_are_valid_and_reproducible_from_the_seed():
    again = random.Random(SEED)

    assert [draw_answers(again) for _ in range(BAKES)] == ANSWER_SETS, f"seed {SEED}"
