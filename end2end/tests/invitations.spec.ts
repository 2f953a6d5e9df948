// People join from their phone: the administrator adds an employee and the
// invitation arrives by email (read from the loopback SMTP server) or by
// SMS (read from the loopback gateway); the employee opens the link on a
// 375 px screen, proves the address with a code, chooses a password, lands
// on their home and finds a colleague in the directory by pinyin. A link
// that has expired asks the administrators for a new one.
import { execFileSync } from "node:child_process";
import type { Browser, Page } from "@playwright/test";
import { expect, test, watchContext } from "./fixtures";
import {
  DATABASE_URL,
  codeIn,
  createOrganisation,
  hydrated,
  signIn,
  uniqueTag,
  waitForMail,
  waitForSms,
} from "./helpers";

test.use({ locale: "en-US", viewport: { width: 1280, height: 1200 } });

const PASSWORD = "cedar-lantern-harbour-27";
const NEW_PASSWORD = "amber-willow-compass-64";
const SCREENS = "test-results/screens";

async function signedInAdmin(page: Page) {
  const tag = uniqueTag();
  const email = `invite-${tag}@orgdesk.example`;
  createOrganisation(`Acme ${tag}`, email, PASSWORD);
  await signIn(page, "/login", email, PASSWORD);
  await expect(page).toHaveURL(/\/admin$/);
  return { tag, email };
}

/** Adds an employee in the root department with the invitation left on. */
async function addEmployee(page: Page, name: string, fields: { mobile?: string; email?: string }) {
  await page.goto("/admin/contacts/employees/new");
  await hydrated(page);
  await page.getByLabel("Name", { exact: true }).fill(name);
  if (fields.mobile) await page.getByLabel("Mobile", { exact: true }).fill(fields.mobile);
  if (fields.email) await page.getByLabel("Email", { exact: true }).fill(fields.email);
  await expect(page.locator('[data-part="invite"] input')).toBeChecked();
  await page.locator('[data-action="save-employee"]').click();
  await expect(page.locator("[data-employee-name]")).toHaveText(name);
}

function linkIn(text: string): string {
  const match = text.match(/https?:\/\/\S+\/join\/[A-Za-z0-9_-]{43}/);
  if (!match) throw new Error(`no invitation link in: ${text}`);
  return match[0];
}

/** A phone: a new browser at 375 px, watched like the test's own pages. */
async function phone(browser: Browser, problems: string[], locale = "en-US"): Promise<Page> {
  const context = await browser.newContext({ locale, viewport: { width: 375, height: 812 }, isMobile: true, hasTouch: true });
  watchContext(context, problems);
  return context.newPage();
}

test("an employee invited by email activates on a phone and finds a colleague by pinyin", async ({ page, browser, problems, request }) => {
  test.setTimeout(180_000);
  const { tag } = await signedInAdmin(page);
  await addEmployee(page, "张三", { mobile: `139${String(Date.now()).slice(-8)}` });
  const email = `lisi-${tag}@orgdesk.example`;
  await addEmployee(page, "李四", { email });
  // The console shows the invitation and its delivery.
  await expect(page.locator('[data-part="invitation"] [data-state="open"]')).toBeVisible();
  // Queued at first; sent once the outbox has delivered it (the page shows it when opened again).
  await expect(async () => {
    await page.reload();
    await expect(page.locator('[data-part="deliveries"] tr[data-delivery="sent"]')).toHaveCount(1, { timeout: 2_000 });
  }).toPass({ timeout: 30_000 });
  await hydrated(page);
  await page.screenshot({ path: `${SCREENS}/invitation-console-1280-en.png`, fullPage: true });

  const invitation = await waitForMail(request, email, (m) => m.subject.includes("invites you to join"));
  const link = linkIn(invitation.text);
  const p = await phone(browser, problems);
  await p.goto(link);
  // The token left the address at once.
  await expect(p).toHaveURL(/\/join$/);
  await hydrated(p);
  await expect(p.getByRole("heading", { name: "Welcome, 李四" })).toBeVisible();
  await p.screenshot({ path: `${SCREENS}/join-375-en.png`, fullPage: true });
  await p.locator('[data-action="send-code"]').click();
  const codeMail = await waitForMail(request, email, (m) => /\b\d{6}\b/.test(m.text) && !m.subject.includes("invites"));
  await p.getByLabel("Code from the message").fill(codeIn(codeMail.text));
  await p.getByLabel("Choose a password").fill(NEW_PASSWORD);
  await p.locator('[data-action="activate"]').click();
  await expect(p).toHaveURL(/\/me$/);
  await hydrated(p);
  await expect(p.locator('[data-page="me"] h1')).toHaveText("李四");
  await p.screenshot({ path: `${SCREENS}/me-375-en.png`, fullPage: true });

  await p.getByRole("link", { name: "Directory" }).click();
  await expect(p).toHaveURL(/\/me\/directory/);
  await hydrated(p);
  await p.getByLabel("Search people").fill("zhangsan");
  await p.getByRole("button", { name: "Search" }).click();
  await expect(p.locator(".directory__person")).toHaveCount(1);
  await p.locator(".directory__person a").first().click();
  await expect(p.locator('[data-part="person-card"] h2')).toHaveText("张三");
  await p.screenshot({ path: `${SCREENS}/directory-375-en.png`, fullPage: true });

  // The same link again: used, and it says so.
  const again = await phone(browser, problems);
  await again.goto(link);
  await hydrated(again);
  await expect(again.locator('[data-reason="used"]')).toBeVisible();

  // Back in the console the invitation reads as accepted.
  await page.reload();
  await hydrated(page);
  await expect(page.locator('[data-part="invitation"] [data-state="accepted"]')).toBeVisible();
});

test("an invitation by SMS is read from the gateway and activated in Chinese", async ({ page, browser, problems, request }) => {
  test.setTimeout(150_000);
  await signedInAdmin(page);
  const mobile = `137${String(Date.now()).slice(-8)}`;
  await addEmployee(page, "王五", { mobile });
  const sms = await waitForSms(request, `+86${mobile}`, (m) => m.text.includes("/join/"));
  const p = await phone(browser, problems, "zh-CN");
  await p.goto(linkIn(sms.text));
  await hydrated(p);
  await expect(p.getByRole("heading", { name: "王五，欢迎你" })).toBeVisible();
  await p.screenshot({ path: `${SCREENS}/join-375-zh.png`, fullPage: true });
  await p.locator('[data-action="send-code"]').click();
  const code = await waitForSms(request, `+86${mobile}`, (m) => !m.text.includes("/join/"));
  await p.getByLabel("短信或邮件中的验证码").fill(codeIn(code.text));
  await p.getByLabel("设置密码").fill(NEW_PASSWORD);
  await p.locator('[data-action="activate"]').click();
  await expect(p).toHaveURL(/\/me$/);
  await expect(p.locator('[data-page="me"] h1')).toHaveText("王五");
  await expect(p.locator('.site-nav a[href="/me"]')).toHaveText("我的主页");
  await p.screenshot({ path: `${SCREENS}/me-375-zh.png`, fullPage: true });
});

test("an expired link asks the administrators for a new one", async ({ page, browser, problems, request }) => {
  test.setTimeout(150_000);
  const { tag, email: adminEmail } = await signedInAdmin(page);
  const email = `late-${tag}@orgdesk.example`;
  await addEmployee(page, "赵六", { email });
  const link = linkIn((await waitForMail(request, email, (m) => m.subject.includes("invites you"))).text);
  execFileSync("psql", [
    DATABASE_URL ?? "",
    "-v",
    "ON_ERROR_STOP=1",
    "-c",
    `UPDATE invitations i SET expires_at = now() - interval '1 minute' FROM accounts a WHERE a.id = i.account_id AND a.email = '${email}'`,
  ]);
  const p = await phone(browser, problems);
  await p.goto(link);
  await hydrated(p);
  await expect(p.locator('[data-reason="expired"]')).toBeVisible();
  await p.screenshot({ path: `${SCREENS}/join-expired-375-en.png`, fullPage: true });
  await p.locator('[data-action="ask-new-link"]').click();
  await expect(p.locator('[data-part="asked"]')).toBeVisible();
  const told = await waitForMail(request, adminEmail, (m) => m.subject.includes("asks for a new invitation"));
  expect(told.text).toContain("赵六");

  // The administrator invites everyone not joined from the department panel.
  await page.goto("/admin/contacts?status=not_activated");
  await hydrated(page);
  await expect(page.locator('[data-table="members"] tbody tr')).toHaveCount(1);
  const panel = page.locator('[data-action-panel="invite-department"]');
  await panel.locator("summary").click();
  await panel.locator('[data-action="invite-department"]').click();
  await expect(panel.locator('[data-part="bulk-outcome"]')).toHaveAttribute("data-invited", "1");
  // A new link, not the dead one again.
  await waitForMail(request, email, (m) => m.subject.includes("invites you") && linkIn(m.text) !== link);
});

test("a request to join through the QR link is approved and the person is invited", async ({ page, browser, problems, request }) => {
  test.setTimeout(180_000);
  const { tag } = await signedInAdmin(page);
  const org = `Acme ${tag}`;
  await page.goto("/admin/contacts/join");
  await hydrated(page);
  const make = page.locator('[data-action-panel="rotate-link"]');
  await make.locator("summary").click();
  await make.locator('[data-action="rotate-link"]').click();
  const url = await page.locator("[data-join-url]").getAttribute("data-join-url");
  expect(url).toMatch(/\/join\/org\/[A-Za-z0-9_-]{43}$/);
  await expect(page.locator(".join-link__qr svg")).toBeVisible();
  await page.screenshot({ path: `${SCREENS}/join-link-1280-en.png`, fullPage: true });

  // Someone scans the code on their phone and asks to join.
  const mobile = `136${String(Date.now()).slice(-8)}`;
  const p = await phone(browser, problems, "zh-CN");
  await p.goto(url!);
  await expect(p).toHaveURL(/\/join\/request$/);
  await hydrated(p);
  await p.getByLabel("手机", { exact: true }).fill(mobile);
  await p.locator('[data-action="send-code"]').click();
  const code = await waitForSms(request, `+86${mobile}`, (m) => /\b\d{6}\b/.test(m.text));
  await p.getByLabel("短信或邮件中的验证码").fill(codeIn(code.text));
  await p.getByLabel("姓名", { exact: true }).fill("孙七");
  await p.screenshot({ path: `${SCREENS}/join-request-375-zh.png`, fullPage: true });
  await p.locator('[data-action="ask-to-join"]').click();
  await expect(p.locator('[data-part="asked"]')).toBeVisible();

  // The administrator approves it into the top department.
  await page.reload();
  await hydrated(page);
  const row = page.locator(`[data-request="+86${mobile}"]`);
  await expect(row).toBeVisible();
  await row.locator('[data-action="approve-request"]').click();
  const form = page.locator('[data-form="approve-request"]');
  await form.getByPlaceholder("Add a department: type its name").fill(org.slice(0, 6));
  await form.locator(`[data-add-department="${org}"]`).click();
  await form.locator('[data-action="confirm-approve"]').click();
  await expect(page.locator('[data-empty="requests"]')).toBeVisible();
  const invitation = await waitForSms(request, `+86${mobile}`, (m) => m.text.includes("/join/"));
  expect(invitation.text).toContain(org);
});
