// Every page as a person sees it, in both languages: the language switch
// leaves no text of the other language behind, and axe-core finds no serious
// or critical accessibility violation (contrast included), signed out, as an
// organisation's administrator (the operator's pages: sign-in.spec, whose
// operator is the first, made by the setup link).
import { expect, test } from "./fixtures";
import { checkPage, createOrganisation, hydrated, orgdesk, report, signIn, switchTo, uniqueTag, wrappedIdentifiers } from "./helpers";

test.use({ locale: "en-US" });

test("signed out, every page reads whole in each language and passes axe", async ({ page }) => {
  test.setTimeout(180_000);
  const findings = new Map<string, string[]>();
  for (const path of ["/", "/register", "/register/resume", "/login", "/login/forgot", "/operator/login", "/join", "/join/request", "/no-such-page"]) {
    await checkPage(page, path, [], findings);
  }
  report(findings);
});

test("an administrator's pages read whole in each language and pass axe", async ({ page }) => {
  test.setTimeout(240_000);
  const tag = uniqueTag();
  const org = `Screens ${tag}`;
  const email = `admin-${tag}@screens.example`;
  createOrganisation(org, email, "screens-heron-window-31");
  await signIn(page, "/login", email, "screens-heron-window-31");
  await expect(page).toHaveURL(/\/admin$/);
  const data = [org, email, "Admin", `admin-${tag}`];
  // Signed in, the header leads back to the console, not to registration.
  await page.goto("/");
  await hydrated(page);
  await expect(page.locator('.site-nav a[href="/admin"]')).toBeVisible();
  await expect(page.locator('.site-nav a[href="/register"]')).toHaveCount(0);
  const findings = new Map<string, string[]>();
  for (const path of [
    "/admin",
    "/admin/contacts",
    "/admin/contacts/employees/new",
    "/admin/audit",
    "/admin/security",
    "/admin/contacts/join",
    "/admin/contacts/import",
    "/account/security",
    "/me",
    "/me/directory",
    "/me/requests",
    "/me/approvals",
    "/admin/approvals",
  ]) {
    await checkPage(page, path, data, findings);
  }
  // The designer of a built-in template, its form open.
  await page.goto("/admin/approvals");
  await page.locator('[data-table="templates"] tbody a').first().click();
  await expect(page).toHaveURL(/\/admin\/approvals\/[0-9a-f-]{36}$/);
  await checkPage(page, new URL(page.url()).pathname, data, findings);
  // The administrator's own employee page, with its change history.
  await page.goto("/admin/contacts");
  await page.locator('[data-table="members"] tbody a').first().click();
  await expect(page).toHaveURL(/\/admin\/contacts\/employees\/[0-9a-f-]{36}$/);
  await checkPage(page, new URL(page.url()).pathname, data, findings);
  report(findings);
});

test("the members table of an organisation of 300 people fits 1280 px in each language, pictured", async ({ page }) => {
  test.setTimeout(180_000);
  const tag = uniqueTag();
  const email = `seed-${tag}@screens.example`;
  orgdesk(
    ["seed", "--members", "300", "--departments", "40", "--name", `Screens Seed ${tag}`, "--admin-email", email],
    "screens-heron-window-31",
  );
  await signIn(page, "/login", email, "screens-heron-window-31");
  await expect(page).toHaveURL(/\/admin$/);
  await page.goto("/admin/contacts");
  await hydrated(page);
  const rows = page.locator('[data-table="members"] tbody tr');
  await expect(rows.first()).toBeVisible();
  for (const language of ["en", "zh-CN"] as const) {
    if ((await page.locator("html").getAttribute("lang")) !== language) await switchTo(page, language);
    await page.setViewportSize({ width: 1280, height: 900 });
    expect(await wrappedIdentifiers(page), `wrapped identifiers (${language})`).toEqual([]);
    // Every column of the table is in view: none is cut off at the right.
    const cut = await page.locator('[data-table="members"] thead th').evaluateAll((cells) =>
      cells.filter((c) => c.getBoundingClientRect().right > window.innerWidth + 1).map((c) => c.textContent ?? ""),
    );
    expect(cut, `columns past the window (${language})`).toEqual([]);
    // Pictures for the eye (test-results/screens/), not compared.
    await page.screenshot({ path: `test-results/screens/members-${language}-1280.png` });
    await page.setViewportSize({ width: 375, height: 800 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
    await page.screenshot({ path: `test-results/screens/members-${language}-375.png` });
  }
});
