// Approvals from the administrator's side: a new template designed in the
// browser (a form, a flow with a condition branch), its problems shown
// until they are fixed, the simulator telling who would approve before
// anything is published, and the published template reaching employees.
import type { Page } from "@playwright/test";
import { expect, test, watchContext } from "./fixtures";
import { addMember, createOrganisation, hydrated, signIn, switchTo, uniqueTag } from "./helpers";

const PASSWORD = "juniper-harbour-violet-37";
const SCREENS = "test-results/screens";

/** Nothing runs past the window sideways. */
async function fits(page: Page) {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
}

/** Picks `name` in the picker inside `scope`. */
async function pickPerson(scope: ReturnType<Page["locator"]>, name: string) {
  await scope.getByRole("searchbox").first().fill(name.split(" ")[0]);
  await scope.locator(".picker__results button", { hasText: name }).first().click();
}

test.use({ locale: "en-US" });

test("an administrator designs a purchase flow with a branch, simulates it and publishes it", async ({ page, browser, problems }) => {
  test.setTimeout(240_000);
  const tag = uniqueTag();
  const admin = `boss-${tag}@orgdesk.example`;
  const org = createOrganisation(`Designer ${tag}`, admin, PASSWORD);
  const max = `max-${tag}@orgdesk.example`;
  const ann = `ann-${tag}@orgdesk.example`;
  addMember(org, "Max Ma", max, PASSWORD, { department: "Engineering" });
  addMember(org, "Ann An", ann, PASSWORD, { department: "Engineering", manager: max });
  addMember(org, "Fay Fan", `fay-${tag}@orgdesk.example`, PASSWORD, { department: "Finance" });

  await page.setViewportSize({ width: 1280, height: 900 });
  await signIn(page, "/login", admin, PASSWORD);
  await expect(page).toHaveURL(/\/admin$/);
  await page.goto("/admin/approvals");
  await hydrated(page);
  // The built-ins are there, on, each with its first version.
  const table = page.locator('[data-table="templates"]');
  await expect(table.locator("tbody tr")).toHaveCount(3);
  await expect(table.locator('tr[data-template="Leave"] [data-state="on"]')).toBeVisible();
  await page.screenshot({ path: `${SCREENS}/designer-list-1280-en.png`, fullPage: true });

  // A new template opens in the designer, with nothing to publish yet.
  await page.locator('[data-action-panel="new-template"] summary').click();
  await page.getByLabel("Name (Chinese)").fill("采购");
  await page.getByLabel("Name (English)").fill("Purchase");
  await page.locator('[data-action="create-template"]').click();
  await expect(page).toHaveURL(/\/admin\/approvals\/[0-9a-f-]{36}$/);
  await hydrated(page);
  await expect(page.locator('[data-empty="controls"]')).toBeVisible();
  const toFix = page.locator('[data-part="problems"]');
  await expect(toFix).toBeVisible();

  // The form: an amount, required.
  await page.locator('[data-part="add-kind"]').first().selectOption("money");
  await page.locator('[data-action="add-control"]').click();
  const amount = page.locator('[data-control="money_1"]');
  await amount.locator('[data-part="label-zh"]').fill("金额");
  await amount.locator('[data-part="label-en"]').fill("Amount");
  await amount.locator('[data-part="key"]').fill("amount");
  await page.locator('[data-control="amount"] [data-part="required"]').check();

  // The flow: the manager, then above 5,000 yuan Fay from Finance.
  await page.locator('[data-tab="flow"]').click();
  await page.locator('[data-action="add-approval"]').first().click();
  const manager = page.locator('[data-node="step_1"]');
  await expect(manager.locator('[data-part="by"]')).toHaveValue("manager");
  await page.locator('[data-action="add-branch"]').first().click();
  const branch = page.locator('[data-node="branch_1"]');
  // The new branch has no test yet: a problem, shown on the node.
  await expect(branch.locator(".designer__errors").first()).toContainText("condition");
  const first = branch.locator('[data-branch="0"]');
  await first.locator('[data-part="branch-en"]').fill("Over 5,000");
  await first.locator('[data-part="branch-zh"]').fill("超过 5000 元");
  await first.locator('[data-action="add-test"]').click();
  await first.locator('[data-part="test-field"]').selectOption("amount");
  await first.locator('[data-part="test-op"]').selectOption("gt");
  await first.locator('[data-part="test-value"]').fill("5000");
  await first.locator('[data-part="test-value"]').dispatchEvent("change");
  await first.locator('[data-action="add-approval"]').click();
  const finance = page.locator('[data-node="step_2"]');
  await finance.locator('[data-part="name-en"]').fill("Finance");
  await finance.locator('[data-part="name-zh"]').fill("财务");
  await finance.locator('[data-part="by"]').selectOption("people");
  await pickPerson(finance, "Fay Fan");
  await expect(finance.locator(".chip")).toContainText("Fay Fan");
  await expect(page.locator('[data-part="ready"]')).toBeVisible();
  await expect(toFix).toHaveCount(0);
  await page.screenshot({ path: `${SCREENS}/designer-flow-1280-en.png`, fullPage: true });

  // The simulator follows the unsaved design: 8,000 yuan goes to Max, then Fay.
  await page.locator('[data-tab="simulate"]').click();
  const sim = page.locator('[data-part="simulator"]');
  await pickPerson(sim.locator("#sim-submitter"), "Ann An");
  await sim.getByLabel("Amount").fill("8000");
  await sim.getByLabel("Amount").dispatchEvent("change");
  await sim.locator('[data-action="simulate"]').click();
  const result = sim.locator('[data-part="sim-result"]');
  await expect(result.locator(".route__person strong")).toHaveText(["Max Ma", "Fay Fan"]);
  await expect(result).toContainText("Over 5,000");
  await sim.getByLabel("Amount").fill("300");
  await sim.getByLabel("Amount").dispatchEvent("change");
  await sim.locator('[data-action="simulate"]').click();
  await expect(result.locator(".route__person strong")).toHaveText(["Max Ma"]);
  await page.screenshot({ path: `${SCREENS}/designer-simulate-1280-en.png`, fullPage: true });

  // A link away with work unsaved asks first; staying keeps the work.
  let asked = "";
  page.once("dialog", (dialog) => {
    asked = dialog.message();
    void dialog.dismiss();
  });
  await page.getByRole("link", { name: "← All templates" }).click();
  await expect.poll(() => asked).toContain("not saved");
  await expect(page).toHaveURL(/\/admin\/approvals\/[0-9a-f-]{36}$/);
  await expect(result.locator(".route__person strong")).toHaveText(["Max Ma"]);

  // Published: version 1, and employees can ask for it.
  await page.locator('[data-action="publish"]').click();
  await expect(page.locator('[data-part="published"]')).toContainText("version 1");
  await page.locator('[data-tab="versions"]').click();
  await expect(page.locator('[data-table="versions"] tbody tr')).toHaveCount(1);
  await switchTo(page, "zh-CN");
  await page.locator('[data-tab="flow"]').click();
  await expect(page.locator('[data-node="step_2"] .designer__card-head strong')).toHaveText("财务");
  await page.screenshot({ path: `${SCREENS}/designer-flow-1280-zh.png`, fullPage: true });
  await page.setViewportSize({ width: 375, height: 812 });
  await fits(page);
  await page.screenshot({ path: `${SCREENS}/designer-flow-375-zh.png`, fullPage: true });
  await switchTo(page, "en");

  const employeeContext = await browser.newContext({ locale: "en-US" });
  watchContext(employeeContext, problems);
  const employee = await employeeContext.newPage();
  await signIn(employee, "/login", ann, PASSWORD);
  await expect(employee).toHaveURL(/\/me$/);
  await employee.goto("/me/requests");
  await hydrated(employee);
  await expect(employee.locator('[data-template="custom"]', { hasText: "Purchase" })).toBeVisible();
  await employeeContext.close();

  // Turned off: the list says so. Everything is saved, so the way back
  // asks nothing (a question nobody answers would keep the page here).
  await page.getByRole("link", { name: "← All templates" }).click();
  await expect(page).toHaveURL(/\/admin\/approvals$/);
  await hydrated(page);
  const row = page.locator('[data-table="templates"] tr[data-template="Purchase"]');
  await row.locator('[data-action="toggle-template"]').click();
  await expect(row.locator('[data-state="off"]')).toBeVisible();
});
