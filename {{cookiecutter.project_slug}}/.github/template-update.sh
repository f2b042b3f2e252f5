#!/usr/bin/env bash
# Take the template's newest release into the working tree, for a pull request (docs/updating.md).
# Run by .github/workflows/template-update.yml, or by hand in a clean checkout:
#   bash .github/template-update.sh BODY_FILE
# Needs git, cruft, uv and python3 on PATH. Writes changed=true|false to $GITHUB_OUTPUT (when set)
# and, when the template has moved, the pull request's description to BODY_FILE.
set -euo pipefail
body_file="${1:?usage: bash .github/template-update.sh BODY_FILE}"
output="${GITHUB_OUTPUT:-/dev/null}"

recorded() {  # a key of .cruft.json
  python3 -c 'import json, sys; print(json.load(open(".cruft.json"))[sys.argv[1]])' "$1"
}

if cruft check; then
  echo "changed=false" >>"$output"
  exit 0
fi

old_commit="$(recorded commit)"
cruft update --skip-apply-ask
# Files with conflict markers: both the template and the team changed the same lines.
conflicts="$(git diff --name-only --diff-filter=U)"
# Parts cruft could not merge at all (when the three-way merge cannot run): *.rej files.
rejected="$(git ls-files --others --exclude-standard -- '*.rej')"
git add --all  # marks them resolved, markers included, so that the job can commit them
# uv.lock is in cruft's skip list: regenerate it from the merged pyproject.toml (which fails while
# pyproject.toml holds conflict markers: then the pull request says so).
if uv lock; then
  git add uv.lock
  relocked=yes
else
  relocked=no
fi

{
  echo "Updates this project from its template, $(recorded template),"
  echo "from commit $old_commit to commit $(recorded commit), with \`cruft update\`."
  echo
  echo "Before merging: run the after-update steps of the template's CHANGELOG.md entries"
  echo "between these commits (oldest first; docs/updating.md), then the tests."
  if [ -n "$conflicts" ]; then
    echo
    echo "Conflicts to resolve (the template and this project changed the same lines; look for"
    echo "<<<<<<< markers):"
    echo
    while IFS= read -r path; do echo "- \`$path\`"; done <<<"$conflicts"
  fi
  if [ "$relocked" = no ]; then
    echo
    echo "\`uv lock\` failed: resolve the conflicts in pyproject.toml, then run \`uv lock\`."
  fi
  if [ -n "$rejected" ]; then
    echo
    echo "Changes of the template that could not be applied, to apply by hand (then delete the"
    echo "files):"
    echo
    while IFS= read -r path; do echo "- \`$path\`"; done <<<"$rejected"
  fi
} >"$body_file"
echo "changed=true" >>"$output"
