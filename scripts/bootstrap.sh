#!/usr/bin/env bash
# Installs what the portal needs, idempotently:
#   1. Debian packages (with apt-get when run as root; otherwise it lists what is missing),
#   2. a virtual environment in .venv with the project and its Python packages, at the
#      versions pinned in requirements/constraints.txt,
#   3. the compiled translations (applications/locale/*/LC_MESSAGES/django.mo, from the .po),
#   4. for tests: axe-core from the npm registry in .cache/axe (git-ignored).
# Usage: scripts/bootstrap.sh run|test   ("test" adds the browser, PDF and accessibility tools)
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-run}

debs=(fonts-noto-cjk fontconfig libpango-1.0-0 libpangoft2-1.0-0 gettext)
if [ "$mode" = test ]; then
  debs+=(chromium poppler-utils)
  # npm brings node; a node from elsewhere (e.g. NodeSource) that has npm will do too.
  if ! command -v npm >/dev/null 2>&1; then
    debs+=(npm)
  fi
fi
if ! python3 -c "import venv, ensurepip" >/dev/null 2>&1; then
  debs+=(python3-venv)
fi

missing=()
for pkg in "${debs[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "==> Installing Debian packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    # Wait for another apt run (unattended upgrades, a parallel bootstrap) instead of failing.
    apt-get -o DPkg::Lock::Timeout=900 update -qq
    apt-get -o DPkg::Lock::Timeout=900 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "These Debian/Ubuntu packages are missing: ${missing[*]}" >&2
    echo "Install them with:  sudo apt-get install ${missing[*]}" >&2
    echo "then run this command again." >&2
    exit 1
  fi
fi

if [ ! -x .venv/bin/python ]; then
  echo "==> Creating .venv"
  python3 -m venv .venv
fi
# The stamp names both files: a change to the ranges or to the pinned versions reinstalls.
constraints=requirements/constraints.txt
stamp=.venv/.installed-$(cat pyproject.toml "$constraints" | sha256sum | cut -c1-16)
if [ ! -f "$stamp" ]; then
  echo "==> Installing Python packages into .venv"
  # (the grep drops one machine's notes about unused local package indexes)
  quiet() { grep -v "is ignored: it is neither" || true; }
  .venv/bin/python -m pip install --quiet --upgrade pip 2>&1 | quiet
  # -c: the exact versions of requirements/constraints.txt, within pyproject.toml's ranges.
  .venv/bin/python -m pip install --quiet -c "$constraints" -e ".[dev]" 2>&1 | quiet
  rm -f .venv/.installed-*
  touch "$stamp"
fi

# Translations: .po files are in the repository, .mo files are built here (git-ignored).
.venv/bin/python manage.py compilemessages --ignore=.venv --ignore=.cache --ignore=var -v 0

if [ "$mode" = test ]; then
  # axe-core, injected into pages by the browser tests (tests/browser/axe.py); pinned so
  # that a new release cannot change the verdict of a run.
  axe_version=4.14.1
  axe_dir=.cache/axe
  installed=$(cat "$axe_dir/node_modules/axe-core/package.json" 2>/dev/null \
    | sed -n 's/^ *"version": *"\([^"]*\)".*/\1/p' | head -1 || true)
  if [ "$installed" != "$axe_version" ]; then
    echo "==> Installing axe-core $axe_version from the npm registry into $axe_dir"
    mkdir -p "$axe_dir"
    npm install --prefix "$axe_dir" --no-audit --no-fund --no-save --silent \
      "axe-core@$axe_version"
  fi
fi
