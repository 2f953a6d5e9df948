import { defineConfig, devices } from "@playwright/test";
import { chromiumLaunch } from "./chromium.mjs";

// The server is started by scripts/test.sh; ORGDESK_URL says where.
const baseURL = process.env.ORGDESK_URL ?? "http://127.0.0.1:3100";

export default defineConfig({
  testDir: "./tests",
  timeout: 30_000,
  expect: { timeout: 10_000 },
  fullyParallel: true,
  workers: 2,
  forbidOnly: !!process.env.CI,
  retries: 0,
  reporter: [["list"]],
  use: {
    baseURL,
    trace: "retain-on-failure",
    launchOptions: chromiumLaunch,
  },
  projects: [
    // The first operator is made from the one-time setup link before any
    // other spec runs (it also runs when a single spec is chosen).
    { name: "first-run", testMatch: /first-run\.spec\.ts/, use: { ...devices["Desktop Chrome"], channel: undefined } },
    {
      name: "desktop",
      dependencies: ["first-run"],
      testIgnore: /first-run\.spec\.ts/,
      use: { ...devices["Desktop Chrome"], channel: undefined },
    },
  ],
});
