#!/usr/bin/env bash
# Optimised build for deployment: target/release/orgdesk plus target/site.
# wasm-opt comes from npm's binaryen (Debian's is too old and breaks hydration).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
BINARYEN_VERSION=132.0.0
tools="$PWD/target/tools"
if [ ! -x "$tools/node_modules/.bin/wasm-opt" ]; then
  echo "==> installing wasm-opt (npm binaryen $BINARYEN_VERSION)"
  npm install --prefix "$tools" --no-audit --no-fund --no-save "binaryen@$BINARYEN_VERSION"
fi
export PATH="$tools/node_modules/.bin:$PATH"
cargo leptos build --release
echo "==> built target/release/orgdesk and target/site; serve with:"
echo "    LEPTOS_SITE_ROOT=target/site LEPTOS_HASH_FILES=true target/release/orgdesk serve"
