# Shared by scripts/run and scripts/test: install what is missing, never what is there.
# Debian packages come from apt; npm packages from the npm registry (lock files pinned).

set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

say() { printf '\n==> %s\n' "$*"; }

# apt_install CMD:PACKAGE ...: installs PACKAGE when CMD is not on the PATH.
apt_install() {
  local missing=() pair
  for pair in "$@"; do
    command -v "${pair%%:*}" >/dev/null 2>&1 || missing+=("${pair##*:}")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  say "Installing Debian packages: ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

# deb_install PACKAGE ...: installs the packages dpkg does not list as installed.
deb_install() {
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  say "Installing Debian packages: ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

# What document conversion runs: LibreOffice, poppler, bubblewrap for the sandbox, and the
# metric-compatible fonts decks expect (Carlito for Calibri, Liberation for Arial/Times).
require_converters() {
  deb_install libreoffice-impress libreoffice-writer libreoffice-calc poppler-utils bubblewrap \
    fonts-crosextra-carlito fonts-liberation2
}

# pip_venv VENV REQUIREMENTS EXECUTABLE: a venv with the pinned requirements, installed
# again when the requirements file changes (Debian's python3-venv provides the venv).
pip_venv() {
  local venv="$1" req="$2" exe="$3"
  deb_install python3 python3-venv
  if [ ! -x "$venv/bin/$exe" ] || [ "$req" -nt "$venv/.installed" ]; then
    say "Installing $exe into $venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --disable-pip-version-check -q -r "$req"
    touch "$venv/.installed"
  fi
}

# The API contract test's fuzzer: Schemathesis from PyPI in a venv of its own
# (.venv-contract, git-ignored).
require_contract_tools() {
  pip_venv .venv-contract scripts/contract-requirements.txt schemathesis
}

# The S3-compatible server of the region tests and benchmarks: moto's server mode from PyPI
# in a venv of its own (.venv-s3, git-ignored). The tests find it through CONFAB_MOTO_SERVER.
require_s3_server() {
  pip_venv .venv-s3 scripts/s3-requirements.txt moto_server
  export CONFAB_MOTO_SERVER="$ROOT/.venv-s3/bin/moto_server"
}

require_toolchain() {
  command -v cargo >/dev/null 2>&1 || { echo "cargo not found: install the Rust toolchain (https://rustup.rs)" >&2; exit 1; }
  apt_install cc:gcc node:nodejs npm:npm
  local v
  v="$(node -p 'process.versions.node')"
  node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)' \
    || { echo "Node.js $v is too old: the web client needs 20.19 or newer" >&2; exit 1; }
}

# npm_deps DIR: `npm ci` unless node_modules already matches the lock file.
npm_deps() {
  local dir="$1"
  if [ ! -f "$dir/node_modules/.package-lock.json" ] || [ "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]; then
    say "Installing npm packages in $dir"
    npm ci --prefix "$dir" --no-audit --no-fund
  fi
}

build_web() {
  npm_deps web
  say "Building the web client"
  npm run --prefix web build
}
