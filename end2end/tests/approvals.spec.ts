// Approvals from the people's side: an employee asks for leave from a
// phone, sees who will approve before sending, and follows the request;
// their manager finds it in the inbox and approves it.
import type { Browser, Page } from "@playwright/test";
import { expect, test, watchContext } from "./fixtures";
import { addMember, createOrganisation, hydrated, signIn, switchTo, uniqueTag } from "./helpers";

const PASSWORD = "juniper-harbour-violet-37";
const SCREENS = "test-results/screens";

async function context(browser: Browser, problems: string[], width: number): Promise<Page> {
  const phone = width < 600;
  const c = await browser.newContext({
    locale: "en-US",
    viewport: { width, height: phone ? 812 : 1000 },
    isMobile: phone,
    hasTouch: phone,
  });
  watchContext(c, problems);
  return c.newPage();
}

/** Nothing runs past the window sideways. */
async function fits(page: Page) {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
}

/** An organisation where Ann (Engineering/Web) reports to Max. */
function organisation() {
  const tag = uniqueTag();
  const org = createOrganisation(`Approvals ${tag}`, `boss-${tag}@orgdesk.example`, PASSWORD);
  const max = `max-${tag}@orgdesk.example`;
  const ann = `ann-${tag}@orgdesk.example`;
  addMember(org, "Max Ma", max, PASSWORD, { department: "Engineering/Web" });
  addMember(org, "Ann An", ann, PASSWORD, { department: "Engineering/Web", manager: max });
  return { tag, org, max, ann };
}

test("an employee asks for leave from a phone and the manager approves it from the inbox", async ({ browser, problems }) => {
  test.setTimeout(180_000);
  const o = organisation();

  const phone = await context(browser, problems, 375);
  await signIn(phone, "/login", o.ann, PASSWORD);
  await expect(phone).toHaveURL(/\/me$/);
  await phone.getByRole("link", { name: "My requests" }).click();
  await expect(phone).toHaveURL(/\/me\/requests$/);
  await hydrated(phone);
  await phone.locator('[data-template="leave"] a').click();
  await expect(phone).toHaveURL(/\/me\/requests\/new\//);
  await hydrated(phone);

  // Sending an empty form names what is missing, before it leaves the phone.
  await phone.getByRole("button", { name: "Submit" }).click();
  await expect(phone.locator('[data-control="reason"] .field__error')).toBeVisible();

  await phone.getByLabel("Leave type").selectOption("annual");
  const period = phone.locator('[data-control="period"]');
  await period.locator('input[type="date"]').nth(0).fill("2026-12-07");
  await period.locator('input[type="date"]').nth(1).fill("2026-12-08");
  await period.locator('input[type="date"]').nth(1).dispatchEvent("change");
  await phone.getByLabel("Reason").fill("Family visit");
  await phone.getByLabel("Reason").dispatchEvent("change");
  // The manager shows as the approver before anything is sent.
  const approvers = phone.locator('[data-part="approvers"]');
  await expect(approvers.locator(".route__person strong")).toHaveText(["Max Ma"]);
  await expect(approvers).toContainText("Manager, level 1");
  await fits(phone);
  await phone.screenshot({ path: `${SCREENS}/approvals-new-375-en.png`, fullPage: true });

  await phone.getByRole("button", { name: "Submit" }).click();
  await expect(phone).toHaveURL(/\/me\/requests\/[0-9a-f-]{36}$/);
  await hydrated(phone);
  await expect(phone.locator("h1 .status-badge")).toHaveText("Under approval");
  await expect(phone.locator('[data-part="form"]')).toContainText("2 days");
  await expect(phone.locator('.timeline__event[data-kind="submitted"]')).toContainText("Ann An");
  await fits(phone);
  await phone.screenshot({ path: `${SCREENS}/approvals-request-375-en.png`, fullPage: true });
  const requestUrl = phone.url();

  const desk = await context(browser, problems, 1280);
  await signIn(desk, "/login", o.max, PASSWORD);
  await expect(desk).toHaveURL(/\/me$/);
  await desk.goto("/me/approvals");
  await hydrated(desk);
  await expect(desk.locator('[data-count="pending"]')).toHaveText("1");
  await desk.screenshot({ path: `${SCREENS}/approvals-inbox-1280-en.png`, fullPage: true });
  await desk.locator(".request-card a").first().click();
  await expect(desk).toHaveURL(requestUrl);
  await hydrated(desk);
  // Rejecting needs a reason; approving does not.
  await desk.locator('[data-action="reject"]').click();
  await expect(desk.locator('[data-part="decide"] .field__error')).toContainText("Say why");
  await desk.locator('[data-action="approve"]').click();
  await expect(desk.locator("h1 .status-badge")).toHaveText("Approved");
  await expect(desk.locator('.timeline__event[data-kind="approved"]')).toContainText("Max Ma");
  await expect(desk.locator('[data-part="decide"]')).toHaveCount(0);
  await desk.goto("/me/approvals?tab=handled");
  await hydrated(desk);
  await expect(desk.locator('[data-count="pending"]')).toHaveText("0");
  await expect(desk.locator('[data-count="handled"]')).toHaveText("1");

  // The employee sees it approved, in each language.
  await phone.reload();
  await hydrated(phone);
  await expect(phone.locator("h1 .status-badge")).toHaveText("Approved");
  await switchTo(phone, "zh-CN");
  await expect(phone.locator("h1 .status-badge")).toHaveText("已通过");
  await fits(phone);
  await phone.screenshot({ path: `${SCREENS}/approvals-request-375-zh.png`, fullPage: true });
  await desk.goto(requestUrl);
  await hydrated(desk);
  await desk.screenshot({ path: `${SCREENS}/approvals-request-1280-en.png`, fullPage: true });
});
