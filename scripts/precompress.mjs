#!/usr/bin/env node
// Compresses the front end's files once, at build time: brotli at quality 11
// and gzip at level 9 next to each file (`x.wasm.br`, `x.wasm.gz`). The server
// sends these to browsers that take them (src/server/startup.rs) instead of
// compressing every answer at the lower level it can afford per request.
// Usage: node scripts/precompress.mjs target/site/pkg
import { readdirSync, readFileSync, statSync, writeFileSync, unlinkSync, existsSync } from "node:fs";
import { join } from "node:path";
import { brotliCompressSync, gzipSync, constants } from "node:zlib";

const dir = process.argv[2];
if (!dir || !existsSync(dir)) {
  console.error(`usage: precompress.mjs DIR (no such directory: ${dir ?? "none given"})`);
  process.exit(2);
}
const worth = /\.(wasm|js|css|svg|json)$/;
let files = 0, raw = 0, br = 0, gz = 0;
for (const name of readdirSync(dir, { recursive: true })) {
  const path = join(dir, name);
  // A compressed copy whose original is gone belongs to an earlier build.
  const original = path.replace(/\.(br|gz)$/, "");
  if (original !== path) {
    if (!existsSync(original)) unlinkSync(path);
    continue;
  }
  const file = statSync(path);
  if (!worth.test(path) || !file.isFile()) continue;
  // A copy newer than its file is kept; the file is read only for a new one.
  const fresh = (copy) => existsSync(copy) && statSync(copy).mtimeMs >= file.mtimeMs;
  if (!fresh(`${path}.br`)) {
    const body = readFileSync(path);
    writeFileSync(`${path}.br`, brotliCompressSync(body, {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
        [constants.BROTLI_PARAM_SIZE_HINT]: body.length,
      },
    }));
  }
  if (!fresh(`${path}.gz`)) writeFileSync(`${path}.gz`, gzipSync(readFileSync(path), { level: 9 }));
  files += 1;
  raw += file.size;
  br += statSync(`${path}.br`).size;
  gz += statSync(`${path}.gz`).size;
}
const kb = (n) => `${Math.round(n / 1024).toLocaleString("en")} KB`;
console.log(`precompressed ${files} files in ${dir}: ${kb(raw)} raw, ${kb(gz)} gzip -9, ${kb(br)} brotli 11`);
