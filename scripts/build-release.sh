#!/usr/bin/env bash
# Optimised build for deployment: target/server-release/orgdesk plus target/site.
# wasm-opt comes from npm's binaryen (Debian's is too old and breaks hydration).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
# wasm-opt, installed by setup.sh.
export PATH="$PWD/target/tools/node_modules/.bin:$PATH"
# --split: every page but the home page is a file of its own (src/app.rs).
cargo leptos build --release --split
node scripts/precompress.mjs target/site/pkg
echo "==> built target/server-release/orgdesk and target/site; serve with:"
echo "    LEPTOS_SITE_ROOT=target/site LEPTOS_HASH_FILES=true target/server-release/orgdesk serve"
