// An administrator arrives with a spreadsheet: the import checks it row by
// row before anything changes, gives back the rows with errors as a file,
// takes the fixed file again, and runs in the background with its progress
// on the page. A full sync that would disable most of the organisation asks
// for the number first.
import { readFileSync } from "node:fs";
import type { Page } from "@playwright/test";
import { expect, test } from "./fixtures";
import { createOrganisation, hydrated, signIn, switchTo, uniqueTag } from "./helpers";

test.use({ locale: "en-US", viewport: { width: 1280, height: 1000 } });

const PASSWORD = "granite-otter-lantern-52";
const SCREENS = "test-results/screens";

async function signedInAdmin(page: Page) {
  const tag = uniqueTag();
  const email = `import-${tag}@orgdesk.example`;
  createOrganisation(`Import ${tag}`, email, PASSWORD);
  await signIn(page, "/login", email, PASSWORD);
  await expect(page).toHaveURL(/\/admin$/);
  return tag;
}

/** Uploads `text` as a CSV with the options as they are on the page. */
async function upload(page: Page, name: string, text: string, fullSync = false) {
  await page.goto("/admin/contacts/import");
  await hydrated(page);
  await page.locator("#import-file").setInputFiles({ name, mimeType: "text/csv", buffer: Buffer.from(text) });
  if (fullSync) await page.locator('input[name="full_sync"]').check();
  await page.locator('[data-action="check-file"]').click();
  await expect(page).toHaveURL(/\/admin\/contacts\/import\/[0-9a-f-]{36}$/);
  await hydrated(page);
}

const count = (page: Page, key: string) => page.locator(`[data-count="${key}"] strong`);

async function runToTheEnd(page: Page) {
  await page.locator('[data-action="run"]').click();
  // The page follows the run by itself.
  await expect(page.locator('[data-part="done"]')).toBeVisible({ timeout: 30_000 });
}

test("a file with errors is checked, its error rows come back as a file, and the fixed file goes in", async ({ page }) => {
  const tag = await signedInAdmin(page);
  const file = [
    "Name,Mobile,Department,Account ID,Manager",
    `Zhang San,13800000001,Sales/East,zs${tag},`,
    `Li Si,13900000002,Sales/East,ls${tag},zs${tag}`,
    `Wang Wu,12345,Sales,ww${tag},`,
  ].join("\n");
  await upload(page, "people.csv", file);
  await expect(count(page, "create")).toHaveText("2");
  await expect(count(page, "error")).toHaveText("1");
  await expect(count(page, "departments")).toHaveText("2");
  // Pictures for the eye (test-results/screens/), in each language and on
  // a phone, where nothing may run past the window.
  for (const language of ["en", "zh-CN"] as const) {
    if ((await page.locator("html").getAttribute("lang")) !== language) await switchTo(page, language);
    await page.setViewportSize({ width: 1280, height: 1000 });
    await page.screenshot({ path: `${SCREENS}/import-dry-run-${language}-1280.png`, fullPage: true });
    await page.setViewportSize({ width: 375, height: 800 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
    await page.screenshot({ path: `${SCREENS}/import-dry-run-${language}-375.png`, fullPage: true });
  }
  await switchTo(page, "en");
  await page.setViewportSize({ width: 1280, height: 1000 });
  // The row is named with its cell and the reason.
  await page.locator('[data-tab="error"]').click();
  const bad = page.locator('tr[data-action="error"]');
  await expect(bad).toHaveCount(1);
  await expect(bad.locator('[data-column="mobile"]')).toContainText("Mobile:");

  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.locator('[data-action="errors-csv"]').click(),
  ]);
  const errors = readFileSync((await download.path())!, "utf8");
  expect(errors).toContain("Wang Wu");
  expect(errors).toContain("12345");

  await runToTheEnd(page);
  await expect(count(page, "create")).toHaveText("2");

  // The error file, fixed, goes in as it is (its error column is ignored).
  const fixed = errors.replace("12345", "13700000003");
  await upload(page, "fixed.csv", fixed);
  await expect(page.locator('[data-notice="unknown-columns"]')).toContainText("错误 Errors");
  await expect(count(page, "create")).toHaveText("1");
  await expect(count(page, "error")).toHaveText("0");
  await runToTheEnd(page);

  await page.goto("/admin/contacts");
  await hydrated(page);
  await expect(page.getByText("Wang Wu")).toBeVisible();
});

test("a department exported goes back in with nothing to change", async ({ page }) => {
  const tag = await signedInAdmin(page);
  const file = [
    "Name,Mobile,Email,Department,Account ID,Manager,Position",
    `Zhang San,13800000011,zs${tag}@orgdesk.example,Sales/East;Support,zs${tag},,=Lead`,
    `Li Si,+447911123456,,Sales/East,ls${tag},zs${tag},`,
    `Zhao Liu,13800000013,,Sales,zl${tag},ls${tag},Clerk`,
    `Qian Qi,13800000014,,Support,qq${tag},,`,
  ].join("\n");
  await upload(page, "people.csv", file);
  await expect(count(page, "create")).toHaveText("4");
  await runToTheEnd(page);

  // Sales and everything below it, from the contacts page.
  await page.goto("/admin/contacts");
  await hydrated(page);
  await page.locator('li[data-name="Sales"]').first().locator(":scope > .tree__row .tree__label").click();
  await expect(page.locator("[data-selected-name]")).toHaveAttribute("data-selected-name", "Sales");
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.locator('[data-action="export-department"]').click(),
  ]);
  const exported = readFileSync((await download.path())!);

  await page.goto("/admin/contacts/import");
  await hydrated(page);
  await page.locator("#import-file").setInputFiles({
    name: "sales.xlsx",
    mimeType: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    buffer: exported,
  });
  await page.locator('[data-action="check-file"]').click();
  await expect(page).toHaveURL(/\/admin\/contacts\/import\/[0-9a-f-]{36}$/);
  await hydrated(page);
  // Three people of Sales (not Qian Qi of Support), each as they are.
  await expect(count(page, "unchanged")).toHaveText("3");
  for (const key of ["create", "update", "move", "error", "departments"]) {
    await expect(count(page, key)).toHaveText("0");
  }
});

test("a full sync that disables most people asks for their number", async ({ page }) => {
  const tag = await signedInAdmin(page);
  const people = ["Name,Mobile,Department"];
  for (let i = 0; i < 5; i++) people.push(`Person ${i},1360000000${i},Team`);
  await upload(page, "team.csv", people.join("\n"));
  await runToTheEnd(page);

  await upload(page, "sync.csv", `Name,Mobile,Department\nNewcomer ${tag},13500000009,Team`, true);
  await expect(count(page, "disable")).toHaveText("5");
  const confirm = page.locator('[data-part="confirm-sync"]');
  await expect(confirm).toBeVisible();
  await page.screenshot({ path: `${SCREENS}/import-sync-en-1280.png`, fullPage: true });
  await page.getByLabel("Type 5 to confirm").fill("4");
  await page.locator('[data-action="run"]').click();
  await expect(page.locator('[data-form="run"] [role="alert"]')).toBeVisible();
  await page.getByLabel("Type 5 to confirm").fill("5");
  await runToTheEnd(page);
});
