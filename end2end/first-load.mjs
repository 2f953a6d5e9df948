// First load, as a newcomer's browser meets it: each page opened in a new
// headless Chromium context (empty cache), with the front end's files fetched
// for it (bytes on the wire) and the time until the page reacts (the client
// marks <body data-hydrated> once its handlers are attached).
//   node end2end/first-load.mjs http://127.0.0.1:3320 / /register /login
import { chromium } from "@playwright/test";
import { chromiumLaunch } from "./chromium.mjs";

const [base, ...paths] = process.argv.slice(2);
const RUNS = Number(process.env.RUNS ?? 5);
// ENCODING=gzip asks for gzip only (as a browser over plain HTTP may);
// unset, the browser asks for what it takes.
const headers = process.env.ENCODING ? { "accept-encoding": process.env.ENCODING } : {};
const browser = await chromium.launch(chromiumLaunch);

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const kb = (n) => `${(n / 1024).toFixed(0)} KB`;

console.log("page | wasm files | wasm on the wire | js on the wire | all on the wire (page, styles, scripts, wasm) | encoding | reacts after (median of " + RUNS + ")");
for (const path of paths) {
  const times = [];
  let wasm = 0;
  let js = 0;
  let files = 0;
  let all = 0;
  const encodings = new Set();
  for (let run = 0; run < RUNS; run++) {
    const context = await browser.newContext({ extraHTTPHeaders: headers });
    const page = await context.newPage();
    const pending = [];
    page.on("response", (response) => {
      const url = new URL(response.url());
      if (url.origin !== new URL(base).origin) return;
      const encoding = response.headers()["content-encoding"] ?? "none";
      pending.push(
        response.request().sizes().then((s) => ({ path: url.pathname, encoding, bytes: s.responseBodySize + s.responseHeadersSize })),
      );
    });
    await page.goto(base + path, { waitUntil: "commit" });
    await page.waitForSelector("body[data-hydrated]", { timeout: 60_000 });
    times.push(await page.evaluate(() => performance.now()));
    await page.waitForLoadState("networkidle");
    const fetched = await Promise.all(pending);
    if (run === 0) {
      for (const f of fetched) {
        all += f.bytes;
        if (f.path.endsWith(".wasm")) {
          encodings.add(f.encoding);
          wasm += f.bytes;
          files += 1;
        } else if (f.path.endsWith(".js")) {
          js += f.bytes;
        }
      }
    }
    await context.close();
  }
  console.log(`${path} | ${files} | ${kb(wasm)} | ${kb(js)} | ${kb(all)} | ${[...encodings].join(", ")} | ${median(times).toFixed(0)} ms`);
}
await browser.close();
