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
  // Filtered by submitter: Ann's request stays, and the filter names her.
  const bySubmitter = desk.locator('[data-part="submitter-filter"]');
  await bySubmitter.getByRole("searchbox").fill("Ann");
  await bySubmitter.locator(".picker__results button", { hasText: "Ann An" }).click();
  await desk.getByRole("button", { name: "Filter", exact: true }).click();
  await expect(desk).toHaveURL(/submitter=[0-9a-f-]{36}/);
  await hydrated(desk);
  await expect(desk.locator('[data-part="submitter-filter"] .chip')).toContainText("Ann An");
  await expect(desk.locator(".request-card")).toHaveCount(1);
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

/** Changes a template's design as its administrator and publishes it. */
async function republish(page: Page, kind: string, change: (design: any) => void) {
  const list = await (await page.request.get("/api/approval_templates")).json();
  const template = list.find((t: any) => t.kind === kind);
  const editor = await (await page.request.get(`/api/approval_template?id=${template.id}`)).json();
  change(editor.design);
  const saved = await page.request.post("/api/approval_template_save", {
    form: { id: template.id, design: JSON.stringify(editor.design), version: String(template.version) },
  });
  expect(saved.status(), await saved.text()).toBe(200);
  const published = await page.request.post("/api/approval_template_publish", {
    form: { id: template.id, version: String(await saved.json()) },
  });
  expect(published.status(), await published.text()).toBe(200);
}

/** Fills a leave form from `from` (morning) to `to` (afternoon) and submits it. */
async function askForLeave(page: Page, from: string, to: string, reason: string) {
  await page.goto("/me/requests");
  await hydrated(page);
  await page.locator('[data-template="leave"] a').click();
  await expect(page).toHaveURL(/\/me\/requests\/new\//);
  await hydrated(page);
  await page.getByLabel("Leave type").selectOption("annual");
  const period = page.locator('[data-control="period"]');
  await period.locator('input[type="date"]').nth(0).fill(from);
  await period.locator('input[type="date"]').nth(0).dispatchEvent("change");
  await period.locator('input[type="date"]').nth(1).fill(to);
  await period.locator('input[type="date"]').nth(1).dispatchEvent("change");
  await page.getByLabel("Reason").fill(reason);
  await page.getByLabel("Reason").dispatchEvent("change");
  await expect(page.locator('[data-part="approvers"] .route__person').first()).toBeVisible();
  await page.getByRole("button", { name: "Submit" }).click();
  await expect(page).toHaveURL(/\/me\/requests\/[0-9a-f-]{36}$/);
  await hydrated(page);
}

async function signedIn(browser: Browser, problems: string[], email: string, width = 1280): Promise<Page> {
  const page = await context(browser, problems, width);
  await signIn(page, "/login", email, PASSWORD);
  await expect(page).toHaveURL(/\/(me|admin)$/);
  return page;
}

test("a reimbursement over 5,000 takes the finance branch", async ({ browser, problems }) => {
  test.setTimeout(180_000);
  const o = organisation();
  const fin = `fin-${o.tag}@orgdesk.example`;
  addMember(o.org, "Fiona Fu", fin, PASSWORD, { department: "Finance", position: "Finance" });
  const admin = await signedIn(browser, problems, `boss-${o.tag}@orgdesk.example`);
  await republish(admin, "reimbursement", (d) => {
    d.flow.nodes.push({
      type: "branch",
      id: "amount",
      branches: [
        {
          name_en: "Over 5,000",
          name_zh: "超过 5000 元",
          condition: { any: [[{ test: "compare", field: "items", op: "gt", value: 5000 }]] },
          nodes: [
            {
              type: "approval", id: "finance", name_en: "Finance", name_zh: "财务", mode: "any",
              approvers: { by: "role", role: { kind: "position", name: "Finance" } },
            },
          ],
        },
        { name_en: "Otherwise", name_zh: "其他情况", nodes: [] },
      ],
    });
  });

  const ann = await signedIn(browser, problems, o.ann, 375);
  await ann.goto("/me/requests");
  await hydrated(ann);
  await ann.locator('[data-template="reimbursement"] a').click();
  await hydrated(ann);
  // Nothing filled in yet (the table's first row stands empty): the way
  // back asks nothing (a question nobody answers would keep the page here).
  const back = ann.locator('[data-page="new-request"] a[href="/me/requests"]');
  await back.click();
  await expect(ann).toHaveURL(/\/me\/requests$/);
  await ann.locator('[data-template="reimbursement"] a').click();
  await expect(ann).toHaveURL(/\/me\/requests\/new\//);
  const row = ann.locator('.table-row[data-row="0"]');
  await row.locator('input[type="date"]').fill("2026-12-01");
  await row.locator('input[type="date"]').dispatchEvent("change");
  await row.getByLabel("Category").selectOption("travel");
  await row.getByLabel("Amount (CNY)").fill("4,800");
  await row.getByLabel("Amount (CNY)").dispatchEvent("change");
  await ann.getByRole("button", { name: "Add a row" }).click();
  const second = ann.locator('.table-row[data-row="1"]');
  await second.locator('input[type="date"]').fill("2026-12-02");
  await second.locator('input[type="date"]').dispatchEvent("change");
  await second.getByLabel("Category").selectOption("meals");
  await second.getByLabel("Amount (CNY)").fill("260.50");
  await second.getByLabel("Amount (CNY)").dispatchEvent("change");
  await ann.getByLabel("Purpose").fill("Client visit in Hangzhou");
  await ann.getByLabel("Purpose").dispatchEvent("change");
  // 5,060.50 in all, added up as the rows are filled: the finance branch,
  // and who is in it, before sending.
  await expect(ann.locator('[data-part="total"]')).toContainText("5,060.50");
  const approvers = ann.locator('[data-part="approvers"]');
  await expect(approvers.locator(".route__branches")).toContainText("Over 5,000");
  await expect(approvers.locator('[data-node="finance"] .route__person strong')).toHaveText(["Fiona Fu"]);
  await fits(ann);
  await ann.screenshot({ path: `${SCREENS}/approvals-reimbursement-375-en.png`, fullPage: true });
  // Filled in, not sent: the way back asks first, and staying keeps it all.
  let asked = "";
  ann.once("dialog", (dialog) => {
    asked = dialog.message();
    void dialog.dismiss();
  });
  await back.click();
  await expect.poll(() => asked).toContain("not sent");
  await expect(ann.locator('[data-part="total"]')).toContainText("5,060.50");
  await ann.getByRole("button", { name: "Submit" }).click();
  await expect(ann).toHaveURL(/\/me\/requests\/[0-9a-f-]{36}$/);
  await hydrated(ann);
  await expect(ann.locator('[data-part="form"]')).toContainText("5,060.50");

  // Max approves; then it waits for finance.
  const max = await signedIn(browser, problems, o.max);
  await max.goto(ann.url());
  await hydrated(max);
  await max.locator('[data-action="approve"]').click();
  await expect(max.locator('[data-node="finance"].route__step--current')).toBeVisible();
  const fiona = await signedIn(browser, problems, fin);
  await fiona.goto("/me/approvals");
  await hydrated(fiona);
  await expect(fiona.locator('[data-count="pending"]')).toHaveText("1");
  await fiona.locator(".request-card a").first().click();
  await hydrated(fiona);
  await fiona.locator('[data-action="approve"]').click();
  await expect(fiona.locator("h1 .status-badge")).toHaveText("Approved");
});

test("a delegate approves while the manager is away, and the timeline says for whom", async ({ browser, problems }) => {
  test.setTimeout(180_000);
  const o = organisation();
  const fay = `fay-${o.tag}@orgdesk.example`;
  addMember(o.org, "Fay Fan", fay, PASSWORD, { department: "Engineering" });
  const max = await signedIn(browser, problems, o.max);
  await max.goto("/me/approvals");
  await hydrated(max);
  const away = max.locator('[data-part="away"]');
  await away.getByRole("searchbox").fill("Fay");
  await away.locator(".picker__results button").first().click();
  const pad = (n: number) => String(n).padStart(2, "0");
  const local = (d: Date) =>
    `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
  // The organisation's time is Shanghai's: a window from an hour ago to in three days, in that zone.
  const shanghai = (offsetHours: number) => {
    const d = new Date(Date.now() + offsetHours * 3_600_000 + 8 * 3_600_000);
    return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
  };
  void local;
  await away.getByLabel("From").fill(shanghai(-1));
  await away.getByLabel("From").dispatchEvent("change");
  await away.getByLabel("Until").fill(shanghai(72));
  await away.getByLabel("Until").dispatchEvent("change");
  await away.locator('[data-action="set-delegate"]').click();
  await expect(away.locator('li[data-delegation="open"]')).toContainText("Fay Fan");
  await max.screenshot({ path: `${SCREENS}/approvals-away-1280-en.png`, fullPage: true });

  const ann = await signedIn(browser, problems, o.ann, 375);
  await askForLeave(ann, "2026-12-07", "2026-12-08", "Family visit");
  const request = ann.url();
  const delegate = await signedIn(browser, problems, fay, 375);
  await delegate.goto("/me/approvals");
  await hydrated(delegate);
  await expect(delegate.locator('[data-count="pending"]')).toHaveText("1");
  await delegate.goto(request);
  await hydrated(delegate);
  await delegate.locator('[data-action="approve"]').click();
  await expect(delegate.locator("h1 .status-badge")).toHaveText("Approved");
  const approved = delegate.locator('.timeline__event[data-kind="approved"]');
  await expect(approved).toContainText("Fay Fan");
  await expect(approved).toContainText("for Max Ma");
  await fits(delegate);
  await delegate.screenshot({ path: `${SCREENS}/approvals-delegate-375-en.png`, fullPage: true });
});

test("a rejected request is returned, changed and resubmitted", async ({ browser, problems }) => {
  test.setTimeout(180_000);
  const o = organisation();
  const admin = await signedIn(browser, problems, `boss-${o.tag}@orgdesk.example`);
  await republish(admin, "leave", (d) => {
    d.flow.settings.on_reject = "return";
  });
  const ann = await signedIn(browser, problems, o.ann, 375);
  await askForLeave(ann, "2026-12-07", "2026-12-08", "Family visit");
  const request = ann.url();

  const max = await signedIn(browser, problems, o.max);
  await max.goto(request);
  await hydrated(max);
  await max.getByLabel("Comment").fill("Say who covers the release");
  await max.getByLabel("After rejecting").selectOption("submitter");
  await max.locator('[data-action="reject"]').click();
  await expect(max.locator("h1 .status-badge")).toHaveText("Returned");

  await ann.reload();
  await hydrated(ann);
  await expect(ann.locator('.timeline__event[data-kind="rejected"]')).toContainText("Say who covers the release");
  await ann.getByRole("link", { name: "Change and resubmit" }).click();
  await expect(ann).toHaveURL(/resubmit=1/);
  await hydrated(ann);
  await expect(ann.getByLabel("Reason")).toHaveValue("Family visit");
  await ann.getByLabel("Reason").fill("Family visit; Lee covers the release");
  await ann.getByLabel("Reason").dispatchEvent("change");
  await ann.getByRole("button", { name: "Resubmit" }).click();
  await expect(ann).toHaveURL(request);
  await hydrated(ann);
  await expect(ann.locator("h1 .status-badge")).toHaveText("Under approval");
  await expect(ann.locator('[data-part="form"]')).toContainText("Lee covers the release");

  await max.reload();
  await hydrated(max);
  await max.locator('[data-action="approve"]').click();
  await expect(max.locator("h1 .status-badge")).toHaveText("Approved");
  await expect(max.locator('.timeline__event[data-kind="resubmitted"]')).toContainText("Ann An");
});
