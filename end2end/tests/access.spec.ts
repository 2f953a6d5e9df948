// The super administrator hands a branch its own administrator: a group
// "华东区管理员" scoped to 华东区 with "manage contacts", one member; that
// member signs in, sees only 华东区 and cannot open 华南区 by its address.
import { execFileSync } from "node:child_process";
import type { Page } from "@playwright/test";
import { expect, test, watchContext } from "./fixtures";
import { DATABASE_URL, createOrganisation, hydrated, signIn, uniqueTag, waitForMail } from "./helpers";

test.use({ locale: "en-US", viewport: { width: 1280, height: 1600 } });

const password = "juniper-ferry-lantern-64";

/** Opens a <details> panel (the page may re-render just after loading). */
async function open(page: Page, selector: string) {
  const panel = page.locator(selector).first();
  await expect(async () => {
    if (!(await panel.evaluate((e) => (e as HTMLDetailsElement).open))) {
      await panel.locator("summary").click();
    }
    expect(await panel.evaluate((e) => (e as HTMLDetailsElement).open)).toBe(true);
  }).toPass();
  return panel;
}

const selected = (page: Page) => page.locator("[data-selected-name]");

async function addDepartment(page: Page, name: string) {
  const panel = await open(page, '[data-action-panel="create"]');
  await panel.getByLabel("Department name").fill(name);
  await panel.getByRole("button", { name: "Create" }).click();
  await expect(selected(page)).toHaveAttribute("data-selected-name", name);
}

/** Until invitations land, an employee added in the console has no
 * password: give them the administrator's (same password) and make them
 * active, as activation will. */
function activate(email: string, from: string) {
  execFileSync(
    "psql",
    [
      DATABASE_URL ?? "",
      "-v",
      "ON_ERROR_STOP=1",
      "-c",
      `UPDATE accounts SET status = 'active', password_changed_at = now(),
         password_hash = (SELECT password_hash FROM accounts WHERE email = '${from}')
       WHERE email = '${email}'`,
    ],
    { stdio: "pipe" },
  );
}

test("a super administrator scopes an admin group to 华东区 and its member manages only that branch", async ({
  page,
  browser,
  problems,
}) => {
  test.setTimeout(240_000);
  const tag = uniqueTag();
  const org = `Acme ${tag}`;
  const admin = `access-${tag}@orgdesk.example`;
  const branchAdmin = `east-${tag}@orgdesk.example`;
  createOrganisation(org, admin, password);
  await signIn(page, "/login", admin, password);
  await expect(page).toHaveURL(/\/admin$/);

  // The tree: 华东区 (with 上海) and 华南区 under the top.
  await page.goto("/admin/contacts");
  await hydrated(page);
  await addDepartment(page, "华东区");
  await addDepartment(page, "上海");
  await page.locator(`li[data-name="${org}"] > .tree__row .tree__label`).first().click();
  await expect(selected(page)).toHaveAttribute("data-selected-name", org);
  await addDepartment(page, "华南区");
  const south = await page.locator('li[data-name="华南区"]').first().getAttribute("data-department");
  expect(south).toBeTruthy();

  // The branch's manager, in 华东区.
  await page.locator('li[data-name="华东区"] > .tree__row .tree__label').first().click();
  await expect(selected(page)).toHaveAttribute("data-selected-name", "华东区");
  await page.locator('[data-action="new-employee"]').click();
  await hydrated(page);
  await page.getByLabel("Name", { exact: true }).fill("华东经理");
  await page.getByLabel("Account ID").fill(`east${tag}`);
  await page.getByLabel("Email").fill(branchAdmin);
  await page.locator('[data-action="save-employee"]').click();
  await expect(page.locator("[data-employee-name]")).toHaveText("华东经理");
  activate(branchAdmin, admin);

  // The access page: the creator alone, with the warning to appoint a second.
  await page.getByRole("link", { name: "Permissions" }).first().click();
  await expect(page).toHaveURL(/\/admin\/access$/);
  await hydrated(page);
  await expect(page.locator('[data-badge="creator"]')).toBeVisible();
  await expect(page.locator('[data-notice="one-super-admin"]')).toBeVisible();
  await expect(page.locator('[data-empty="groups"]')).toBeVisible();
  await page.screenshot({ path: "test-results/screens/access-empty-en-1280.png", fullPage: true });

  // A new group: its name, manage contacts, 华东区 found by search.
  const create = await open(page, '[data-action-panel="new-group"]');
  const form = create.locator('[data-form="new-group"]');
  await form.getByLabel("Group name").fill("华东区管理员");
  await form.getByLabel(/^Manage contacts/).check();
  await form.getByLabel("Chosen departments and everything below them").check();
  await form.getByPlaceholder("Add a department: type its name").pressSequentially("华东");
  await form.locator(`[data-add-department="${org} / 华东区"]`).click();
  await expect(form.locator("[data-chosen-department]")).toHaveCount(1);
  // Without the password the browser asks for it, and nothing is saved.
  await form.locator('[data-action="save-group"]').click();
  expect(await form.getByLabel("Your password").evaluate((e) => (e as HTMLInputElement).validity.valueMissing)).toBe(true);
  await expect(page.locator("[data-group]")).toHaveCount(0);
  await form.getByLabel("Your password").fill(password);
  await form.locator('[data-action="save-group"]').click();
  const group = page.locator('[data-group="华东区管理员"]');
  await expect(group).toBeVisible();
  await expect(group.locator('[data-scope="departments"]')).toHaveText(`${org} / 华东区`);
  await expect(group.locator('[data-permission="contacts.manage"]')).toBeVisible();

  // Its member, by account ID.
  const members = await open(page, '[data-group="华东区管理员"] [data-action-panel="group-members"]');
  await members.getByLabel("Members").fill(`east${tag}`);
  await members.getByLabel("Your password").fill(password);
  await members.locator('[data-action="save-members"]').click();
  await expect(group.locator(`[data-member="east${tag}"]`)).toBeVisible();
  await expect(group.locator('[data-two-step="off"]')).toBeVisible();
  await page.screenshot({ path: "test-results/screens/access-en-1280.png", fullPage: true });

  // The audit log finds the change by what it was and what it touched, shows
  // what changed field by field, and exports what it shows.
  await page.goto("/admin/audit");
  await hydrated(page);
  await page.getByLabel("Action").selectOption({ label: "Admin group created" });
  await page.getByLabel("Concerning").fill("华东区管理员");
  await page.getByRole("button", { name: "Filter", exact: true }).click();
  await expect(page).toHaveURL(/action=access\.group_created/);
  const rows = page.locator("[data-testid=audit-table] tbody tr[data-action]");
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toHaveAttribute("data-action", "access.group_created");
  await expect(rows.first()).toContainText("华东区管理员");
  const csv = page.locator('[data-export="csv"]');
  await expect(csv).toHaveAttribute("href", /format=csv&action=access\.group_created&target=/);
  const [download] = await Promise.all([page.waitForEvent("download"), csv.click()]);
  const file = await download.path();
  const text = (await import("node:fs")).readFileSync(file!, "utf8");
  expect(text.split("\n").filter((l) => l.trim()).length).toBe(2);
  expect(text).toContain("access.group_created");
  await page.screenshot({ path: "test-results/screens/audit-en-1280.png", fullPage: true });
  await page.setViewportSize({ width: 375, height: 900 });
  await expect(async () => {
    const sideways = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(sideways, "nothing scrolls sideways").toBeLessThanOrEqual(0);
  }).toPass();
  await page.screenshot({ path: "test-results/screens/audit-en-375.png", fullPage: true });
  await page.setViewportSize({ width: 1280, height: 1600 });
  await page.getByRole("link", { name: "Clear filters" }).click();
  await expect(page).toHaveURL(/\/admin\/audit$/);
  await expect(rows.first()).toBeVisible();
  await page.goto("/admin/access");
  await hydrated(page);

  // The branch administrator, in a browser of their own.
  const context = await browser.newContext({ locale: "en-US", viewport: { width: 1280, height: 1200 } });
  watchContext(context, problems);
  const east = await context.newPage();
  await signIn(east, "/login", branchAdmin, password);
  await expect(east).toHaveURL(/\/admin$/);
  await east.goto("/admin/contacts");
  await hydrated(east);
  await expect(east.locator("[data-selected-name]")).toHaveAttribute("data-selected-name", "华东区");
  await expect(east.locator('li[data-name="上海"]')).toBeVisible();
  await expect(east.locator('li[data-name="华南区"]')).toHaveCount(0);
  await expect(east.locator(`li[data-name="${org}"]`)).toHaveCount(0);
  // They manage it: a new department under 上海.
  await east.locator('li[data-name="上海"] > .tree__row .tree__label').first().click();
  await expect(east.locator("[data-selected-name]")).toHaveAttribute("data-selected-name", "上海");
  await addDepartment(east, "浦东");
  // 华南区 by its address: not found, and nothing of it shown.
  await east.goto(`/admin/contacts?dept=${south}`);
  await hydrated(east);
  await expect(east.locator('[data-code="not_found"]').first()).toBeVisible();
  await expect(east.locator("body")).not.toContainText("华南区");
  // The permissions page is not theirs.
  await east.goto("/admin/access");
  await hydrated(east);
  await expect(east.locator('[data-code="auth.forbidden"]').first()).toBeVisible();
  await context.close();
});

test("the permissions page reads in Chinese and fits a phone", async ({ page }) => {
  const tag = uniqueTag();
  const admin = `access-zh-${tag}@orgdesk.example`;
  createOrganisation(`示例 ${tag}`, admin, password);
  await signIn(page, "/login", admin, password);
  await expect(page).toHaveURL(/\/admin$/);
  await page.context().addCookies([{ name: "i18n_pref_locale", value: "zh-CN", url: page.url() }]);
  for (const width of [1280, 375]) {
    await page.setViewportSize({ width, height: 1000 });
    await page.goto("/admin/access");
    await hydrated(page);
    await expect(page.locator("h1")).toHaveText("权限管理");
    await expect(page.locator('[data-badge="creator"]')).toHaveText("创建者");
    const sideways = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(sideways, "nothing scrolls sideways").toBeLessThanOrEqual(0);
    await page.screenshot({ path: `test-results/screens/access-zh-CN-${width}.png`, fullPage: true });
  }
});

test("an administrator turns on password expiry and a member must change an old password at the next sign-in", async ({
  page,
  browser,
  problems,
}) => {
  test.setTimeout(180_000);
  const tag = uniqueTag();
  const admin = `expiry-${tag}@orgdesk.example`;
  const member = `member-${tag}@orgdesk.example`;
  createOrganisation(`Acme ${tag}`, admin, password);
  await signIn(page, "/login", admin, password);
  await expect(page).toHaveURL(/\/admin$/);
  await page.goto("/admin/contacts");
  await hydrated(page);
  await page.locator('[data-action="new-employee"]').click();
  await hydrated(page);
  await page.getByLabel("Name", { exact: true }).fill("Lee Member");
  await page.getByLabel("Email").fill(member);
  await page.locator('[data-action="save-employee"]').click();
  await expect(page.locator("[data-employee-name]")).toHaveText("Lee Member");
  activate(member, admin);
  execFileSync("psql", [
    DATABASE_URL ?? "",
    "-v",
    "ON_ERROR_STOP=1",
    "-c",
    `UPDATE accounts SET password_changed_at = now() - interval '100 days' WHERE email = '${member}'`,
  ]);

  // The policy page: expiry at 90 days, signed with the password.
  await page.getByRole("link", { name: "Organisation security policy" }).first().click();
  await expect(page).toHaveURL(/\/admin\/security$/);
  await hydrated(page);
  await page.getByLabel("Password expiry, in days").fill("90");
  await page.getByLabel("Your password").fill(password);
  await page.locator('[data-action="save-security"]').click();
  await expect(page.locator('[data-notice="saved"]')).toBeVisible();

  // The member signs in and is sent to change it first.
  const context = await browser.newContext({ locale: "en-US" });
  watchContext(context, problems);
  const m = await context.newPage();
  await signIn(m, "/login", member, password);
  await expect(m).toHaveURL(/\/account\/security$/);
  await hydrated(m);
  await expect(m.locator('[data-notice="password-expired"]')).toBeVisible();
  await m.goto("/admin/contacts");
  await expect(m).toHaveURL(/\/account\/security$/);
  await hydrated(m);
  await m.getByLabel("Current password").fill(password);
  await m.getByLabel("New password").fill("copper kettle by the river");
  await m.getByRole("button", { name: "Change password" }).click();
  await expect(m.locator('[data-notice="password-expired"]')).toHaveCount(0);
  // Changed, the member is let through; administering nothing, they are at home.
  await m.goto("/admin");
  await expect(m).toHaveURL(/\/me$/);
  await context.close();
});

test("the security policy page reads in Chinese and fits a phone", async ({ page }) => {
  const tag = uniqueTag();
  const admin = `policy-zh-${tag}@orgdesk.example`;
  createOrganisation(`示例 ${tag}`, admin, password);
  await signIn(page, "/login", admin, password);
  await expect(page).toHaveURL(/\/admin$/);
  await page.context().addCookies([{ name: "i18n_pref_locale", value: "zh-CN", url: page.url() }]);
  for (const width of [1280, 375]) {
    await page.setViewportSize({ width, height: 1000 });
    await page.goto("/admin/security");
    await hydrated(page);
    await expect(page.locator("h1")).toHaveText("组织安全策略");
    const sideways = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(sideways, "nothing scrolls sideways").toBeLessThanOrEqual(0);
    await page.screenshot({ path: `test-results/screens/security-policy-zh-CN-${width}.png`, fullPage: true });
  }
  await page.context().addCookies([{ name: "i18n_pref_locale", value: "en", url: page.url() }]);
  await page.setViewportSize({ width: 1280, height: 1000 });
  await page.goto("/admin/security");
  await hydrated(page);
  await page.screenshot({ path: "test-results/screens/security-policy-en-1280.png", fullPage: true });
});

test("the security check-up lists an administrator without two-step verification, and the reminder goes out", async ({
  page,
  request,
}) => {
  const tag = uniqueTag();
  const admin = `checkup-${tag}@orgdesk.example`;
  createOrganisation(`Acme ${tag}`, admin, password);
  await signIn(page, "/login", admin, password);
  await expect(page).toHaveURL(/\/admin$/);
  await page.getByRole("link", { name: "Security check-up" }).first().click();
  await expect(page).toHaveURL(/\/admin\/security\/checkup$/);
  await hydrated(page);
  const finding = page.locator('[data-finding="without-second-factor"]');
  await expect(finding).toHaveAttribute("data-count", "1");
  await expect(finding.locator("li")).toHaveCount(1);
  await expect(page.locator('[data-finding="super-admins"]')).toHaveAttribute("data-count", "1");
  await page.screenshot({ path: "test-results/screens/checkup-en-1280.png", fullPage: true });
  await finding.locator('[data-fix="remind_second_factor"]').click();
  await expect(page.locator('[data-notice="fixed"]')).toContainText("1");
  const mail = await waitForMail(request, admin, (m) => m.subject.includes("two-step verification"));
  expect(mail.text).toContain("/account/security");
  // Once a day: pressed again, nobody is reminded twice.
  await finding.locator('[data-fix="remind_second_factor"]').click();
  await expect(page.locator('[data-notice="fixed"]')).toContainText("0");
  await page.setViewportSize({ width: 375, height: 900 });
  const sideways = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(sideways, "nothing scrolls sideways").toBeLessThanOrEqual(0);
  await page.screenshot({ path: "test-results/screens/checkup-en-375.png", fullPage: true });
});
