import type { Page } from "@playwright/test";
import { expect, test } from "./fixtures";
import {
  FIRST_OPERATOR,
  base32Decode,
  checkPage,
  firstOperator,
  hydrated,
  mails,
  nextCode,
  orgdesk,
  report,
  signIn,
} from "./helpers";

// The steps go on from the first operator's state (its password, recovery
// codes used), so they run in order in one worker.
test.describe.configure({ mode: "serial", timeout: 120_000 });
test.use({ locale: "en-US" });

const { email: EMAIL, name: NAME, password: PASSWORD } = FIRST_OPERATOR;
const NEW_PASSWORD = "quiet-harbour-lantern-77";

// The first operator's app secret and recovery codes, which first-run.spec
// (run before every other spec) wrote down; read once the tests run.
let saved: { secret: Buffer; recoveryCodes: string[] } | undefined;
const first = () => (saved ??= firstOperator());

async function signInWithPassword(page: Page, password: string, email = EMAIL) {
  await signIn(page, "/operator/login", email, password);
  await expect(page).toHaveURL(/\/login\/verify$/);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Two-step verification");
}

async function signOutTo(page: Page, url: RegExp) {
  await page.locator('[data-action="sign-out"]').first().click();
  await expect(page).toHaveURL(url);
}

const signOut = (page: Page) => signOutTo(page, /\/operator\/login$/);

test("the operator signs out, then in with the password and a computed code", async ({ page }) => {
  await signInWithPassword(page, PASSWORD);
  // A wrong code is refused with a message beside the field.
  await page.getByLabel("Authentication code").fill("000000");
  await page.getByRole("button", { name: "Verify" }).click();
  await expect(page.locator('[data-code="auth.invalid_code"]')).toBeVisible();

  await page.getByLabel("Authentication code").fill(await nextCode(first().secret));
  await page.getByRole("button", { name: "Verify" }).click();
  await expect(page).toHaveURL(/\/operator$/);
  await expect(page.getByTestId("account-name")).toHaveText(NAME);

  // The audit log shows the sign-in.
  await page.getByRole("link", { name: "Audit log" }).first().click();
  await expect(page.getByTestId("audit-table")).toBeVisible();
  await expect(page.locator('tr[data-action="sign_in.succeeded"]').first()).toBeVisible();
  // Details read as words, not as the record written.
  const created = page.locator('tr[data-action="operator.created"] .table__record');
  await expect(created.filter({ hasText: "Through: Setup link" }).first()).toBeVisible();
  await expect(page.locator("[data-testid=audit-table] .table__record", { hasText: "{" })).toHaveCount(0);
  await signOut(page);
});

test("the operator's pages read whole in each language and pass axe", async ({ page }) => {
  test.setTimeout(180_000);
  await signInWithPassword(page, PASSWORD);
  await page.getByLabel("Authentication code").fill(await nextCode(first().secret));
  await page.getByRole("button", { name: "Verify" }).click();
  await expect(page).toHaveURL(/\/operator$/);
  const findings = new Map<string, string[]>();
  for (const path of ["/operator", "/operator/reviews", "/operator/accounts", "/operator/audit", "/operator/deliveries", "/account/security"]) {
    await checkPage(page, path, [NAME, EMAIL], findings);
  }
  report(findings);
  await signOut(page);
});

test("a recovery code signs in instead of the app, once", async ({ page }) => {
  await signInWithPassword(page, PASSWORD);
  await page.getByLabel("Authentication code").fill(first().recoveryCodes[0]);
  await page.getByRole("button", { name: "Verify" }).click();
  await expect(page).toHaveURL(/\/operator$/);

  await page.goto("/account/security");
  await hydrated(page);
  await expect(page.getByTestId("codes-left")).toHaveText("9 unused recovery codes left.");
  await signOut(page);

  await signInWithPassword(page, PASSWORD);
  await page.getByLabel("Authentication code").fill(first().recoveryCodes[0]);
  await page.getByRole("button", { name: "Verify" }).click();
  await expect(page.locator('[data-code="auth.invalid_code"]')).toBeVisible();
});

test("a forgotten password is reset with an emailed code, and the app is still asked for", async ({ page }) => {
  const before = await mails(page.request);
  await page.goto("/operator/login");
  await hydrated(page);
  await page.getByRole("link", { name: "Forgot your password?" }).click();
  await expect(page).toHaveURL(/\/forgot\?kind=operator$/);
  // The form's proof of work is solved in the page, in a few seconds at most.
  await expect(page.locator('input[name="challenge"]')).toHaveAttribute("data-challenge", "solved", {
    timeout: 15_000,
  });
  await page.getByLabel("Mobile number or email").fill(EMAIL);
  await page.getByRole("button", { name: "Send code" }).click();
  await expect(page.getByText("If an account uses this address")).toBeVisible();
  await expect(page.locator('[data-action="send-code"]')).toBeDisabled();

  let code = "";
  await expect(async () => {
    const fresh = (await mails(page.request))
      .slice(before.length)
      .filter((m) => m.to.some((t) => t.address === EMAIL));
    const match = fresh.at(-1)?.text.match(/\b(\d{6})\b/);
    expect(match).toBeTruthy();
    code = match![1];
  }).toPass({ timeout: 20_000 });

  await page.getByLabel("Code from the message").fill(code);
  await page.getByLabel("New password").fill(NEW_PASSWORD);
  await page.getByRole("button", { name: "Set new password" }).click();
  await expect(page).toHaveURL(/\/operator\/login$/);

  // The old password is gone; the new one still needs the second factor.
  await page.getByLabel("Mobile number or email").fill(EMAIL);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.locator('[data-code="auth.invalid_credentials"]')).toBeVisible();

  await signInWithPassword(page, NEW_PASSWORD);
  await page.getByLabel("Authentication code").fill(await nextCode(first().secret));
  await page.getByRole("button", { name: "Verify" }).click();
  await expect(page).toHaveURL(/\/operator$/);
});

test("an administrator enrols, an operator resets their lost second factor, and they enrol again", async ({
  page,
}) => {
  const adminEmail = "admin@acme.example";
  const adminPassword = "amber-falcon-orchard-19";
  // Organisations come from approved registrations; the CLI makes one directly.
  orgdesk(
    ["org", "create", "--name", "Acme 示例科技", "--admin-name", "Zhang San", "--admin-email", adminEmail],
    adminPassword,
  );

  const adminSignIn = async () => {
    await signIn(page, "/login", adminEmail, adminPassword);
    await expect(page).toHaveURL(/\/account\/security$/);
    await expect(page.getByText("Two-step verification is required")).toBeVisible();
  };
  await adminSignIn();
  await page.getByRole("button", { name: "Set up authenticator app" }).click();
  const adminSecret = base32Decode((await page.getByTestId("totp-secret").textContent()) ?? "");
  await page.getByLabel("Code from the app").fill(await nextCode(adminSecret));
  await page.getByRole("button", { name: "Turn on" }).click();
  await expect(page.getByTestId("recovery-codes").locator("li code")).toHaveCount(10);
  await page.getByRole("link", { name: "Continue" }).click();
  await expect(page).toHaveURL(/\/admin$/);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Acme 示例科技");
  await expect(page.getByTestId("account-name")).toHaveText("Zhang San");
  await page.getByRole("link", { name: "Audit log" }).first().click();
  await expect(page.locator('tr[data-action="totp.enabled"]')).toBeVisible();
  await signOutTo(page, /\/login$/);

  // The operator finds the administrator and resets the second factor, with a reason.
  await signInWithPassword(page, NEW_PASSWORD);
  await page.getByLabel("Authentication code").fill(await nextCode(first().secret));
  await page.getByRole("button", { name: "Verify" }).click();
  await expect(page).toHaveURL(/\/operator$/);
  await page.getByRole("link", { name: "Accounts" }).first().click();
  await hydrated(page);
  await page.getByLabel("Email, mobile number or name").fill(adminEmail);
  await page.getByRole("button", { name: "Search" }).click();
  const row = page.locator("li.member-list__item", { hasText: "Zhang San" });
  await expect(row).toContainText("Two-step verification: on");
  // The list may be drawn again as the search settles: click until the form is open
  // (the button only opens it).
  await expect(async () => {
    if (!(await row.getByLabel("Reason").isVisible())) {
      await row.getByRole("button", { name: "Reset two-step verification…" }).click({ timeout: 2_000 });
    }
    await expect(row.getByLabel("Reason")).toBeVisible({ timeout: 3_000 });
  }).toPass({ timeout: 30_000 });
  await row.getByLabel("Reason").fill("Called the legal representative to confirm");
  // The operator signs the reset with their own password and a fresh code.
  await row.getByLabel("Your password").fill(NEW_PASSWORD);
  await row.getByLabel("Your authentication code").fill(await nextCode(first().secret));
  await row.getByRole("button", { name: "Reset now" }).click();
  await expect(page.getByText("Two-step verification was reset.")).toBeVisible();
  await expect(row).toContainText("Two-step verification: not set up");
  await signOutTo(page, /\/operator\/login$/);

  // The administrator is asked to set up an authenticator again.
  await adminSignIn();
});
