// The administrator builds the organisation in the contacts console: a
// three-level tree, a drag-and-drop move, a move by the "Move to…" search,
// a reorder, employees in two departments, a pinyin search, a disabled
// employee and the org chart.
import type { Page } from "@playwright/test";
import { expect, test, watchContext } from "./fixtures";
import { createOrganisation, hydrated, signIn, uniqueTag } from "./helpers";

// Tall enough that the department panels open without scrolling.
test.use({ locale: "en-US", viewport: { width: 1280, height: 1600 } });

async function signedInAdmin(page: Page) {
  const tag = uniqueTag();
  const email = `contacts-${tag}@orgdesk.example`;
  const password = "cedar-lantern-harbour-27";
  createOrganisation(`Acme ${tag}`, email, password);
  await signIn(page, "/login", email, password);
  await expect(page).toHaveURL(/\/admin$/);
  return `Acme ${tag}`;
}

/** Opens a <details> panel; the console may re-render just after a
 * navigation, so the click is repeated until the panel stays open. */
async function open(page: Page, selector: string) {
  const panel = page.locator(selector);
  await expect(async () => {
    if (!(await panel.evaluate((e) => (e as HTMLDetailsElement).open))) {
      await panel.locator("summary").click();
    }
    expect(await panel.evaluate((e) => (e as HTMLDetailsElement).open)).toBe(true);
  }).toPass();
  return panel;
}

const treeItem = (page: Page, name: string) => page.locator(`li[data-name="${name}"]`).first();
const selected = (page: Page) => page.locator("[data-selected-name]");

async function addDepartment(page: Page, name: string) {
  const panel = await open(page, '[data-action-panel="create"]');
  await panel.getByLabel("Department name").fill(name);
  await panel.getByRole("button", { name: "Create" }).click();
  await expect(selected(page)).toHaveAttribute("data-selected-name", name);
}

async function select(page: Page, name: string) {
  await treeItem(page, name).locator(":scope > .tree__row .tree__label").click();
  await expect(selected(page)).toHaveAttribute("data-selected-name", name);
}

test("an administrator builds the tree, adds people, finds them by pinyin and sees the chart", async ({ page }) => {
  test.setTimeout(180_000);
  const org = await signedInAdmin(page);
  await page.getByRole("link", { name: "Contacts" }).first().click();
  await expect(page).toHaveURL(/\/admin\/contacts/);
  await hydrated(page);
  await expect(selected(page)).toHaveAttribute("data-selected-name", org);

  // Three levels under the top: 市场部 / 华东区 / 上海, and 财务部 beside 市场部.
  await addDepartment(page, "市场部");
  await addDepartment(page, "华东区");
  await addDepartment(page, "上海");
  await select(page, org);
  await addDepartment(page, "财务部");
  await expect(page.locator(".breadcrumbs")).toContainText(org);

  // A name that breaks the rules is refused with a message beside the field.
  await select(page, org);
  const create = await open(page, '[data-action-panel="create"]');
  await create.getByLabel("Department name").fill("R&D|1");
  await create.getByRole("button", { name: "Create" }).click();
  await expect(create.locator('[data-code="department.name_chars"]')).toBeVisible();

  // Open 市场部 in place (its level loads on demand), then drag 华东区
  // (with 上海 under it) onto 财务部.
  await treeItem(page, "市场部").locator(":scope > .tree__row .tree__toggle").click();
  await expect(treeItem(page, "华东区")).toBeVisible();
  await select(page, "华东区");
  await treeItem(page, "华东区").locator(":scope > .tree__row").dragTo(treeItem(page, "财务部").locator(":scope > .tree__row"));
  await expect(page.locator(".breadcrumbs")).toContainText("财务部");
  await select(page, "上海");
  await expect(page.locator(".breadcrumbs")).toHaveText(new RegExp(`${org}\\s*/\\s*财务部\\s*/\\s*华东区`));

  // Reorder: 财务部 moves above 市场部.
  await select(page, "财务部");
  await page.locator('[data-action="move-up"]').click();
  const topLevel = page.locator(`li[data-name="${org}"] > ul > li`);
  await expect(topLevel.first()).toHaveAttribute("data-name", "财务部");
  await expect(topLevel.nth(1)).toHaveAttribute("data-name", "市场部");

  // The keyboard way: "Move to…" finds 市场部 by name and moves 华东区
  // (with 上海) back there.
  await select(page, "华东区");
  const move = await open(page, '[data-action-panel="move"]');
  await move.locator("#move-search").pressSequentially("市场");
  await move.locator("#move-search").press("Enter");
  await page.locator(`[data-move-target="${org} / 市场部"]`).click();
  await expect(page.locator(".breadcrumbs")).toHaveText(new RegExp(`${org}\\s*/\\s*市场部\\s*/`));
  await expect(selected(page)).toHaveAttribute("data-selected-name", "华东区");

  // Two employees; 张三 in 上海 and 财务部, 上海 the main one.
  await select(page, "上海");
  await page.locator('[data-action="new-employee"]').click();
  await expect(page).toHaveURL(/\/employees\/new/);
  await hydrated(page);
  await expect(page.locator("[data-chosen-department]")).toHaveCount(1);
  await page.getByLabel("Name", { exact: true }).fill("张三");
  await page.getByLabel("Mobile").fill("13800138000");
  await page.getByLabel("Position").fill("销售经理");
  await page.getByPlaceholder("Add a department: type its name").fill("财务");
  await page.locator(`[data-add-department="${org} / 财务部"]`).click();
  await expect(page.locator("[data-chosen-department]")).toHaveCount(2);
  await page.locator('[data-action="save-employee"]').click();
  await expect(page.locator("[data-employee-name]")).toHaveText("张三");
  await expect(page.locator('[data-list="departments"] li')).toHaveCount(2);
  await expect(page.locator('[data-field="userid"]')).toHaveText("zhangsan");

  // 张三 heads 上海.
  await page.locator('[data-list="departments"] li a', { hasText: "上海" }).click();
  await hydrated(page);
  const heads = await open(page, '[data-action-panel="heads"]');
  await heads.getByLabel("Heads (account IDs)").fill("zhangsan");
  await heads.getByRole("button", { name: "Save" }).click();
  await expect(page.locator(".department__head")).toHaveText("张三");

  await page.goto("/admin/contacts");
  await hydrated(page);
  await page.locator('[data-action="new-employee"]').click();
  await hydrated(page);
  await page.getByLabel("Name", { exact: true }).fill("李四");
  await page.getByLabel("Email").fill("lisi@acme.example");
  await page.getByPlaceholder("Find a person by name or pinyin").fill("zhang");
  await page.locator('[data-add-manager="zhangsan"]').click();
  await expect(page.locator("#field-managers")).toHaveValue("zhangsan");
  await page.locator('[data-action="save-employee"]').click();
  await expect(page.locator("[data-employee-name]")).toHaveText("李四");
  await expect(page.locator('[data-list="managers"]')).toContainText("张三");

  // Search by pinyin initials from the top of the tree.
  await page.goto("/admin/contacts");
  await hydrated(page);
  await page.getByPlaceholder("Name, pinyin, mobile, email, account ID, position").fill("zs");
  await page.getByRole("button", { name: "Search" }).click();
  await expect(page.locator('[data-table="members"] tbody tr')).toHaveCount(1);
  await expect(page.locator('[data-table="members"] tbody tr')).toContainText("张三");
  // Headcounts count 张三 once, though he is in two departments.
  await expect(treeItem(page, org).locator(":scope > .tree__row .tree__count")).toHaveText("3");

  // Disable 张三, after confirming.
  await page.locator('[data-table="members"]').getByRole("link", { name: "张三" }).click();
  await hydrated(page);
  const disable = await open(page, '[data-status-action="disabled"]');
  await disable.locator('[data-action="confirm-disabled"]').click();
  await expect(page.locator("[data-status]")).toHaveAttribute("data-status", "disabled");
  await expect(page.locator('[data-table="history"] tbody tr').first()).toHaveAttribute(
    "data-action",
    "employee.status_changed",
  );

  // The org chart, from the top.
  await page.goto("/admin/contacts");
  await page.getByRole("link", { name: "Org chart" }).click();
  await expect(page).toHaveURL(/\/admin\/contacts\/chart/);
  await expect(page.locator('[data-chart-department="华东区"]')).toBeVisible();
  // Three levels by default: 上海 is the fourth.
  await expect(page.locator('[data-chart-department="上海"]')).toHaveCount(0);
  await hydrated(page);
  await page.getByLabel("Levels").selectOption("4");
  await page.getByRole("button", { name: "Show" }).click();
  await expect(page.locator('[data-chart-department="上海"]')).toContainText("1 person");
  await expect(page.locator('[data-chart-department="上海"]')).toContainText("张三");
});

test("without JavaScript the console is all there: tree, members, and a search that is a plain form", async ({ page, browser, problems }) => {
  const org = await signedInAdmin(page);
  const origin = new URL(page.url()).origin;
  const context = await browser.newContext({
    javaScriptEnabled: false,
    locale: "en-US",
    storageState: await page.context().storageState(),
  });
  watchContext(context, problems);
  const plain = await context.newPage();
  await plain.goto(`${origin}/admin/contacts`);
  // The page arrives rendered whole: no placeholder waiting for a script.
  await expect(plain.locator("[data-selected-name]")).toHaveAttribute("data-selected-name", org);
  await expect(plain.locator(`li[data-name="${org}"]`)).toBeVisible();
  await expect(plain.locator('[data-total], [data-empty="members"]').first()).toBeVisible();
  await expect(plain.getByText("Loading…")).toHaveCount(0);

  await plain.getByLabel("Search members").fill("nobody-by-this-name");
  await plain.getByRole("button", { name: "Search", exact: true }).click();
  await expect(plain).toHaveURL(/q=nobody-by-this-name/);
  await expect(plain.locator('[data-empty="members"]')).toBeVisible();
  await context.close();
});
