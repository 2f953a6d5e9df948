#!/usr/bin/env bash
# Installs what Orgdesk needs to build (and, with --test, to run its tests),
# skipping whatever is already present. Everything comes from package
# registries: cargo-leptos would otherwise try to download helper tools from
# GitHub, so they are installed here first.
set -euo pipefail
cd "$(dirname "$0")/.."

with_tests=false
[ "${1:-}" = "--test" ] && with_tests=true

CARGO_LEPTOS_VERSION=0.3.10
WASM_BINDGEN_VERSION=$(sed -n 's/^wasm-bindgen = "=\([0-9.]*\)"/\1/p' Cargo.toml)
SQLX_CLI_VERSION=0.8.6

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }
fail() { printf '\033[1;31merror:\033[0m %s\n' "$*" >&2; exit 1; }

# Installs Debian packages, as root or through sudo; false when it cannot.
apt_install() {
  command -v apt-get >/dev/null || return 1
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || return 1
    sudo="sudo"
  fi
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y "$@" ||
    { $sudo apt-get update && $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y "$@"; }
}

if ! command -v cargo >/dev/null || ! command -v rustup >/dev/null; then
  fail "Rust is not installed through rustup (needed to add the wasm target): see https://rustup.rs, then run this again."
fi

# Rust links through the C compiler, and cargo-leptos builds OpenSSL bindings:
# without them the first install stops with "linker \`cc\` not found" or an
# openssl-sys error after minutes of compiling.
if ! command -v cc >/dev/null; then
  say "installing a C compiler and linker (Debian's build-essential)"
  apt_install build-essential ||
    fail "no C compiler (cc) found, and it could not be installed. Rust needs one to link: sudo apt-get install -y build-essential (Fedora: sudo dnf install gcc; macOS: xcode-select --install)."
fi
if ! cargo leptos --version >/dev/null 2>&1 && command -v dpkg-query >/dev/null &&
  ! dpkg-query -W -f='${Status}' libssl-dev pkg-config 2>/dev/null | grep -q "^install ok installed.*install ok installed$"; then
  say "installing OpenSSL headers and pkg-config for cargo-leptos"
  apt_install libssl-dev pkg-config ||
    fail "cargo-leptos needs OpenSSL's headers and pkg-config: sudo apt-get install -y libssl-dev pkg-config"
fi

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

if ! cargo leptos --version 2>/dev/null | grep -q "$CARGO_LEPTOS_VERSION"; then
  say "installing cargo-leptos $CARGO_LEPTOS_VERSION (about 13 minutes, once)"
  cargo install cargo-leptos --version "$CARGO_LEPTOS_VERSION" --locked
fi

if ! wasm-bindgen --version 2>/dev/null | grep -q "$WASM_BINDGEN_VERSION"; then
  say "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (must match the crate)"
  # Not --locked: one crate of its lock file is no longer in the index.
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION"
fi

if ! command -v sqlx >/dev/null || ! sqlx --version | grep -q "$SQLX_CLI_VERSION"; then
  say "installing sqlx-cli $SQLX_CLI_VERSION"
  cargo install sqlx-cli --version "$SQLX_CLI_VERSION" --no-default-features --features postgres,rustls --locked
fi

# wasm-opt for the optimised front end `make run` serves: npm's binaryen
# (Debian's is too old: hydration then dies with a WebAssembly.Table.set
# TypeError). cargo leptos finds it on PATH (scripts/run.sh puts it there).
BINARYEN_VERSION=132.0.0
tools="$PWD/target/tools"
if ! "$tools/node_modules/.bin/wasm-opt" --version 2>/dev/null | grep -q "version ${BINARYEN_VERSION%%.*} "; then
  if ! command -v npm >/dev/null; then
    say "installing Node.js and npm (wasm-opt comes from npm)"
    apt_install nodejs npm || fail "wasm-opt comes from npm: sudo apt-get install -y nodejs npm"
  fi
  say "installing wasm-opt (npm's binaryen $BINARYEN_VERSION)"
  npm install --prefix "$tools" --no-audit --no-fund --no-save "binaryen@$BINARYEN_VERSION"
fi

# scripts/precompress.mjs (make run) reads directories recursively: Node 18.17 or newer.
node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 18 || (a === 18 && b >= 17) ? 0 : 1)' ||
  fail "Node.js $(node --version) is too old: make run needs 18.17 or newer (Debian 12's nodejs is 18.19; elsewhere see https://nodejs.org)"

$with_tests || exit 0

if [ ! -d end2end/node_modules ] || [ end2end/package-lock.json -nt end2end/node_modules/.package-lock.json ]; then
  say "installing the browser-test packages (end2end/)"
  (cd end2end && npm ci --no-audit --no-fund)
fi

# A local S3-compatible server for the object-storage tests (moto, from PyPI),
# in a virtual environment of its own.
MOTO_VERSION=5.2.1
moto_dir=target/tools/moto
if ! "$moto_dir/bin/python" -c "import moto, sys; sys.exit(moto.__version__ != '$MOTO_VERSION')" 2>/dev/null; then
  say "installing moto $MOTO_VERSION (S3-compatible test server) into $moto_dir"
  if ! command -v python3 >/dev/null; then
    apt_install python3 python3-venv || fail "the storage tests need Python 3: sudo apt-get install -y python3 python3-venv"
  fi
  rm -rf "$moto_dir"
  python3 -m venv "$moto_dir" 2>/dev/null || {
    apt_install python3-venv && python3 -m venv "$moto_dir"
  } || fail "could not make a Python virtual environment: sudo apt-get install -y python3-venv"
  "$moto_dir/bin/pip" install --quiet --disable-pip-version-check "moto[server]==$MOTO_VERSION"
fi

# The two-instance test puts Debian's nginx in front of two servers.
if ! command -v nginx >/dev/null && [ ! -x /usr/sbin/nginx ]; then
  say "installing Debian's nginx for the two-instance test"
  apt_install nginx ||
    fail "the two-instance test needs nginx: sudo apt-get install -y nginx"
fi

if [ ! -x /usr/bin/chromium ]; then
  say "installing Debian's chromium for the browser tests"
  apt_install chromium ||
    fail "the browser tests need Debian's chromium at /usr/bin/chromium: sudo apt-get install -y chromium"
fi

# The access spec stands in for activation (issue 19) with one psql statement.
if ! command -v psql >/dev/null; then
  say "installing the PostgreSQL client (psql) for the browser tests"
  apt_install postgresql-client ||
    fail "the browser tests need psql: sudo apt-get install -y postgresql-client"
fi

# Chinese glyphs for the pictures the browser tests take (test-results/screens);
# without a CJK font every character is drawn as a box.
if ! fc-list 2>/dev/null | grep -qi "wqy\|cjk"; then
  say "installing a Chinese font (fonts-wqy-microhei) for the browser tests' pictures"
  apt_install fonts-wqy-microhei fontconfig ||
    say "no Chinese font: pictures of Chinese pages will show boxes (sudo apt-get install -y fonts-wqy-microhei)"
fi
