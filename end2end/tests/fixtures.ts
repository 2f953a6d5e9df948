// Every spec imports `test` and `expect` from here: a test fails when any page
// it opened threw an uncaught exception or logged a console error, even if
// its steps passed. A flow whose wasm panicked still "works" (the forms fall
// back to plain posts), so without this a crash would go unseen.
import { test as base, expect, type BrowserContext, type Page } from "@playwright/test";

export { expect };
export type { Page };

/** Console errors that say nothing is wrong with the page: a server function
 * refusing with 4xx (validation, throttling) is an answer the page shows, and
 * Chromium logs its status line as an error. */
const EXPECTED = [/^Failed to load resource: the server responded with a status of 4\d\d/];

/** Records the problems of `page` into `problems`. */
export function watch(page: Page, problems: string[]) {
  page.on("pageerror", (e) => problems.push(`${page.url()}: uncaught ${e.message}`));
  page.on("console", (m) => {
    if (m.type() !== "error") return;
    const text = m.text();
    if (EXPECTED.some((r) => r.test(text))) return;
    problems.push(`${page.url()}: console error ${text}`);
  });
}

/** Records the problems of every page of `context`, now and later. */
export function watchContext(context: BrowserContext, problems: string[]) {
  context.pages().forEach((p) => watch(p, problems));
  context.on("page", (p) => watch(p, problems));
}

export const test = base.extend<{ problems: string[] }>({
  // The problems of the test's own pages; a spec that opens another context
  // passes it to `watchContext` with this list.
  problems: async ({}, use) => {
    const problems: string[] = [];
    await use(problems);
    expect(problems, problems.join("\n")).toEqual([]);
  },
  context: async ({ context, problems }, use) => {
    watchContext(context, problems);
    await use(context);
  },
});
