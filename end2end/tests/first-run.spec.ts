import { expect, test } from "./fixtures";
import { readFileSync } from "node:fs";
import { FIRST_OPERATOR, SERVER_LOG, base32Decode, hydrated, nextCode, saveFirstOperator } from "./helpers";

// The first platform operator comes from the link the server prints on its
// first start, and the link works once: this spec is a project of its own
// that every other spec waits for (playwright.config.ts), so no other spec
// can make an operator before it and the operator exists for those that
// need one. It writes down the app secret and recovery codes for sign-in.spec.
test.describe.configure({ timeout: 120_000 });
test.use({ locale: "en-US" });

const { email: EMAIL, name: NAME, password: PASSWORD } = FIRST_OPERATOR;

test("the first-run link creates the operator, who must enrol an authenticator app", async ({ page }) => {
  const log = readFileSync(SERVER_LOG, "utf8");
  const link = log.match(/http:\/\/\S+\/setup\?token=[A-Za-z0-9_-]+/)?.[0];
  expect(link, "the server prints a setup link on first start").toBeTruthy();
  const path = new URL(link!).pathname + new URL(link!).search;

  await page.goto(path);
  await hydrated(page);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Create the first platform operator");
  await page.getByLabel("Your name").fill(NAME);
  await page.getByLabel("Email").fill(EMAIL);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Create operator account" }).click();

  // Signed in, but only enrolment is open until it is done.
  await expect(page).toHaveURL(/\/account\/security$/);
  await expect(page.getByText("Two-step verification is required")).toBeVisible();
  const blocked = await page.request.get("/operator", { maxRedirects: 0 });
  expect(blocked.status()).toBeGreaterThanOrEqual(300);
  expect(blocked.headers()["location"]).toBe("/account/security");

  await page.getByRole("button", { name: "Set up authenticator app" }).click();
  const key = page.getByTestId("totp-secret");
  await expect(key).toBeVisible();
  await expect(page.getByRole("img", { name: "QR code for your authenticator app" })).toBeVisible();
  const secret = base32Decode((await key.textContent()) ?? "");
  expect(secret.length).toBe(20);

  await page.getByLabel("Code from the app").fill(await nextCode(secret));
  await page.getByRole("button", { name: "Turn on" }).click();
  const codes = page.getByTestId("recovery-codes").locator("li code");
  await expect(codes).toHaveCount(10);
  const recoveryCodes = await codes.allTextContents();
  // The page says one thing of the second factor: on, with no warning left.
  await expect(page.getByTestId("totp-status")).toHaveText(/^On:/);
  await expect(page.getByText("Two-step verification is required")).toHaveCount(0);
  await expect(page.getByRole("link", { name: "Download (.txt)" })).toHaveAttribute(
    "download",
    "orgdesk-recovery-codes.txt",
  );

  await page.getByRole("link", { name: "Continue" }).click();
  await expect(page).toHaveURL(/\/operator$/);
  await expect(page.getByTestId("account-name")).toHaveText(NAME);

  // The link works once.
  await page.goto(path);
  await expect(page.getByText("This setup link is no longer valid")).toBeVisible();
  saveFirstOperator(secret, recoveryCodes);
});
