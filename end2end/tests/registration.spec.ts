import type { Page } from "@playwright/test";
import { expect, test, watchContext } from "./fixtures";
import { randomInt } from "node:crypto";
import { codeIn, hydrated, leftovers, operatorPage, switchTo, waitForMail, waitForSms } from "./helpers";

// An organisation registers, an operator rejects the licence photo, the
// applicant replaces it and submits again, and the operator approves.
test.use({ locale: "en-US" });

// ---------------------------------------------------------------------------
// Test data: every run and every test uses its own credit code, mobile number
// and email, so runs against the same server do not collide (a credit code
// under review or approved is refused; codes have a 60 s resend cooldown per
// address).

const CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY";
const CREDIT_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

/** A unified social credit code (GB 32100) with a correct check character:
 * a company (91) in Fuzhou (350100) with a random organisation code. */
function creditCode(): string {
  let body = "91350100";
  for (let i = 0; i < 9; i++) body += CREDIT_ALPHABET[randomInt(CREDIT_ALPHABET.length)];
  const sum = [...body].reduce((s, ch, i) => s + CREDIT_ALPHABET.indexOf(ch) * CREDIT_WEIGHTS[i], 0);
  return body + CREDIT_ALPHABET[(31 - (sum % 31)) % 31];
}

type Applicant = {
  orgName: string;
  creditCode: string;
  /** As typed: a bare mainland number. */
  mobile: string;
  /** As the SMS gateway receives it. */
  mobileE164: string;
  email: string;
  adminName: string;
  password: string;
  legalName: string;
  legalId: string;
};

function applicant(label: string): Applicant {
  const uid = `${Date.now().toString(36)}${randomInt(1_000_000).toString(36)}`;
  const mobile = `139${String(randomInt(100_000_000)).padStart(8, "0")}`;
  return {
    orgName: `${label} 示例科技有限公司 ${uid}`,
    creditCode: creditCode(),
    mobile,
    mobileE164: `+86${mobile}`,
    email: `admin-${uid}@applicant.example`,
    adminName: "Li Lei",
    password: "copper-lantern-harbour-58",
    legalName: "Han Meimei",
    // GB 11643, check character X.
    legalId: "11010519491231002X",
  };
}

// ---------------------------------------------------------------------------
// Documents, made at test time: JPEGs drawn by the browser, and a one-page PDF.

async function jpeg(page: Page, label: string, color: string): Promise<Buffer> {
  const url = await page.evaluate(
    ([label, color]) => {
      const canvas = document.createElement("canvas");
      canvas.width = 480;
      canvas.height = 300;
      const g = canvas.getContext("2d")!;
      g.fillStyle = color;
      g.fillRect(0, 0, canvas.width, canvas.height);
      g.fillStyle = "#ffffff";
      g.font = "bold 32px sans-serif";
      g.fillText(label, 24, 160);
      return canvas.toDataURL("image/jpeg", 0.8);
    },
    [label, color],
  );
  const bytes = Buffer.from(url.slice(url.indexOf(",") + 1), "base64");
  expect([...bytes.subarray(0, 3)]).toEqual([0xff, 0xd8, 0xff]);
  return bytes;
}

function pdf(text: string): Buffer {
  const content = `BT /F1 24 Tf 36 120 Td (${text}) Tj ET`;
  const objects = [
    "<< /Type /Catalog /Pages 2 0 R >>",
    "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 420 240] /Contents 4 0 R " +
      "/Resources << /Font << /F1 5 0 R >> >> >>",
    `<< /Length ${content.length} >>\nstream\n${content}\nendstream`,
    "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
  ];
  let out = "%PDF-1.4\n";
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(out.length);
    out += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = out.length;
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const offset of offsets) out += `${String(offset).padStart(10, "0")} 00000 n \n`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, "latin1");
}

/** Not a picture at all, whatever its name says. */
const ELF = Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]), Buffer.alloc(56)]);

// ---------------------------------------------------------------------------
// The applicant's steps.

/** Nothing on the page is wider than the viewport (no sideways scrolling). */
async function fitsWidth(page: Page, what: string) {
  const width = page.viewportSize()!.width;
  const scroll = await page.evaluate(() => document.documentElement.scrollWidth);
  expect(scroll, `${what} fits ${width} px`).toBeLessThanOrEqual(width);
}

async function onStep(page: Page, step: string) {
  await expect(page).toHaveURL(new RegExp(`/register/${step}(\\?|#|$)`));
  await expect(page.locator(`[data-page="register-${step}"]`)).toBeVisible();
  await hydrated(page);
  // Every step's name shown is whole: none is cut off or spills out of its place.
  const cut = await page.locator(".wizard__label").evaluateAll((labels) =>
    labels
      .filter((l) => l.getBoundingClientRect().width > 1)
      .filter((l) => l.scrollWidth > l.clientWidth + 1 || l.getBoundingClientRect().right > l.parentElement!.parentElement!.getBoundingClientRect().right + 1)
      .map((l) => l.textContent),
  );
  expect(cut, "step names cut off").toEqual([]);
}

/** Proves the administrator mobile or email with the code that was sent to it. */
async function proveContact(page: Page, channel: "mobile" | "email", a: Applicant) {
  const block = page.locator(`.contact-proof[data-channel="${channel}"]`);
  await block.locator('input[name="value"]').fill(channel === "mobile" ? a.mobile : a.email);
  await block.locator(`[data-action="send-${channel}-code"]`).click();
  // The button counts down the resend cooldown.
  await expect(block.locator(`[data-action="send-${channel}-code"]`)).toBeDisabled();
  if (channel === "mobile") await refusedDuringCooldown(page, channel, a.mobile);
  const text =
    channel === "mobile"
      ? (await waitForSms(page.request, a.mobileE164, (m) => /code|验证码/i.test(m.text))).text
      : (await waitForMail(page.request, a.email, (m) => /code|验证码/i.test(m.subject))).text;
  await block.locator('input[name="code"]').fill(codeIn(text));
  await block.locator(`[data-action="verify-${channel}"]`).click();
  await expect(block.locator('[data-state="verified"]')).toBeVisible();
}

/** A second tab asking for a code during the cooldown is refused, and one
 * countdown drives its message and its button: both show the same seconds,
 * and both count down. */
async function refusedDuringCooldown(page: Page, channel: "mobile" | "email", value: string) {
  const other = await page.context().newPage();
  await other.goto(page.url());
  await hydrated(other);
  const block = other.locator(`.contact-proof[data-channel="${channel}"]`);
  const button = block.locator(`[data-action="send-${channel}-code"]`);
  await block.locator('input[name="value"]').fill(value);
  await button.click();
  const alert = block.locator('[data-code="rate_limited"]');
  await expect(alert).toBeVisible();
  await expect(button).toBeDisabled();
  const number = async (text: Promise<string | null>) => Number((await text)?.match(/(\d+)/)?.[1] ?? NaN);
  const first = await number(alert.textContent());
  expect(first).toBeGreaterThan(2);
  await expect.poll(() => number(alert.textContent()), { timeout: 5_000 }).toBeLessThan(first);
  // Both are read in one task of the page, so no tick falls between them.
  const both = () =>
    block.evaluate((b, ch) => {
      const n = (e: Element | null) => Number(e?.textContent?.match(/(\d+)/)?.[1] ?? NaN);
      return [n(b.querySelector('[data-code="rate_limited"]')), n(b.querySelector(`[data-action="send-${ch}-code"]`))];
    }, channel);
  // Equal at every look over a second and a half, not once: two timers a
  // little out of step would agree most of the time.
  for (let look = 0; look < 6; look++) {
    const [a, b] = await both();
    expect(Number.isFinite(a) && a === b, `message ${a} s, button ${b} s`).toBe(true);
    await other.waitForTimeout(300);
  }
  await other.close();
}

/** Chooses a file: the page (hydrated) sends it at once, without its own
 * Upload button, which is there only without JavaScript. */
async function upload(page: Page, kind: string, file: { name: string; mimeType: string; buffer: Buffer }) {
  const item = page.locator(`li.document[data-kind="${kind}"]`);
  await expect(item.locator(`[data-action="upload-${kind}"]`)).toBeHidden();
  await item.locator(`input[type="file"][name="file-${kind}"]`).setInputFiles(file);
}

async function uploadAccepted(page: Page, kind: string, file: { name: string; mimeType: string; buffer: Buffer }) {
  // The page is not reloaded: a mark on window survives the upload.
  await page.evaluate(() => ((window as any).__samePage = true));
  await upload(page, kind, file);
  await expect(page).toHaveURL(new RegExp(`/register/documents\\?uploaded=${kind}`));
  const item = page.locator(`li.document[data-kind="${kind}"]`);
  await expect(item.locator(".document__name")).toHaveText(file.name);
  await expect(item.locator(".document__current .verified")).toBeVisible();
  expect(await page.evaluate(() => (window as any).__samePage)).toBe(true);
}

/** Step 4 with JavaScript: a chosen file is sent at once and the answer shown in place. */
async function documentsWithScript(page: Page, fits: (what: string) => Promise<void>) {
  // A program renamed to .jpg is refused by its content.
  await upload(page, "licence", { name: "fake.jpg", mimeType: "image/jpeg", buffer: ELF });
  await expect(page).toHaveURL(/\/register\/documents\?kind=licence&error=document\.type/);
  await expect(page.locator('li.document[data-kind="licence"] [data-code="document.type"]')).toBeVisible();
  await expect(page.locator('li.document[data-kind="licence"] .document__current')).toHaveCount(0);
  await hydrated(page);
  await uploadAccepted(page, "licence", {
    name: "licence.jpg",
    mimeType: "image/jpeg",
    buffer: await jpeg(page, "营业执照 licence", "#2d5f8b"),
  });
  await uploadAccepted(page, "id_front", {
    name: "id-front.jpg",
    mimeType: "image/jpeg",
    buffer: await jpeg(page, "ID portrait side", "#4b7f52"),
  });
  await uploadAccepted(page, "id_back", { name: "id-back.pdf", mimeType: "application/pdf", buffer: pdf("ID emblem side") });
  // Previews: the pictures load, the PDF is framed.
  const licenceImg = page.locator('li.document[data-kind="licence"] img');
  await expect.poll(() => licenceImg.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(480);
  await expect(page.locator('li.document[data-kind="id_back"] iframe')).toHaveAttribute(
    "src",
    /^\/register\/files\/id_back\?v=/,
  );
  await fits("documents step, uploaded");
  await page.locator('[data-action="next"]').click();
}

/** Step 4 in a browser without JavaScript, in the same session: the chosen
 * files go with "Save and continue", and a missing one is named. */
async function documentsWithoutScript(page: Page, problems: string[]) {
  const context = await page.context().browser()!.newContext({
    javaScriptEnabled: false,
    storageState: await page.context().storageState(),
    viewport: page.viewportSize(),
  });
  watchContext(context, problems);
  const plain = await context.newPage();
  const at = (path: string) => new URL(path, page.url()).toString();
  await plain.goto(at("/register/documents"));
  await expect(plain.locator('[data-action="upload-licence"]')).toBeVisible();
  const choose = async (kind: string, file: { name: string; mimeType: string; buffer: Buffer }) =>
    plain.locator(`input[type="file"][name="file-${kind}"]`).setInputFiles(file);
  await choose("licence", { name: "licence.jpg", mimeType: "image/jpeg", buffer: await jpeg(page, "licence", "#2d5f8b") });
  await choose("id_front", { name: "id-front.pdf", mimeType: "application/pdf", buffer: pdf("ID portrait side") });
  await plain.locator('[data-action="next"]').click();
  await expect(plain).toHaveURL(/\/register\/documents\?missing=id_back$/);
  await expect(plain.locator('li.document[data-kind="id_back"] [data-code="document.required"]')).toBeVisible();
  await expect(plain.locator('li.document[data-kind="licence"] .document__name')).toHaveText("licence.jpg");
  await expect(plain.locator('li.document[data-kind="id_front"] .document__name')).toHaveText("id-front.pdf");
  await choose("id_back", { name: "id-back.pdf", mimeType: "application/pdf", buffer: pdf("ID emblem side") });
  await plain.locator('[data-action="next"]').click();
  await expect(plain).toHaveURL(/\/register\/review$/);
  await expect(plain.locator('section.summary[data-section="documents"]')).toContainText("id-back.pdf");
  await context.close();
  await page.goto("/register/review");
}

/** Steps 1 to 6: from the preparation page to a submitted application.
 * `plainDocuments` sends the documents from a browser without JavaScript. */
async function applyFor(
  page: Page,
  a: Applicant,
  fits: (what: string) => Promise<void>,
  plainDocuments?: { problems: string[] },
) {
  await page.goto("/register");
  await expect(page.locator('[data-page="register"]')).toBeVisible();
  await hydrated(page);
  await fits("preparation");
  await page.locator('[data-action="start"]').click();

  // 1. The organisation.
  await onStep(page, "organisation");
  await expect(page.locator(".wizard__step--current")).toHaveAttribute("aria-current", "step");
  await page.locator('[name="org_name"]').fill(a.orgName);
  await page.locator('[name="credit_code"]').fill(a.creditCode);
  await page.locator('select[name="industry"]').selectOption("I");
  await page.locator('select[name="size_band"]').selectOption("51-200");
  await page.locator('select[name="province"]').selectOption("44");
  await page.locator('[name="city"]').fill("Shenzhen");
  await page.locator('[name="address"]').fill("1 Keji Road, Nanshan District");
  await fits("organisation step");
  await page.locator('[data-action="next"]').click();

  // 2. The administrator: both addresses proven with codes.
  await onStep(page, "administrator");
  await fits("administrator step");
  await proveContact(page, "mobile", a);
  await proveContact(page, "email", a);
  await page.locator('[name="admin_name"]').fill(a.adminName);
  await page.locator("#field-password").fill(a.password);
  await expect(page.locator("#field-password-strength")).not.toBeEmpty();
  await page.locator('[name="password_confirm"]').fill(a.password);
  await fits("administrator step, filled in");
  await page.locator('[data-action="next"]').click();

  // 3. The legal representative.
  await onStep(page, "legal");
  await page.locator('[name="legal_name"]').fill(a.legalName);
  await page.locator('[name="legal_id_number"]').fill(a.legalId);
  await fits("legal step");
  await page.locator('[data-action="next"]').click();

  // 4. The documents: a chosen file is sent at once and the answer shown in place.
  await onStep(page, "documents");
  await expect(page.locator("li.document")).toHaveCount(4);
  await fits("documents step");
  if (plainDocuments) {
    await documentsWithoutScript(page, plainDocuments.problems);
  } else {
    await documentsWithScript(page, fits);
  }

  // 5. Review and submit.
  // 5. Review and submit.
  await onStep(page, "review");
  const org = page.locator('section.summary[data-section="organisation"]');
  await expect(org).toContainText(a.orgName);
  await expect(org).toContainText(a.creditCode);
  await expect(page.locator('section.summary[data-section="administrator"]')).toContainText(a.email);
  await expect(page.locator('section.summary[data-section="documents"]')).toContainText("licence.jpg");
  await fits("review step");
  await page.locator('input[name="accept_terms"]').check();
  await page.locator('[data-action="submit"]').click();

  // 6. Submitted.
  await expect(page).toHaveURL(/\/register\/status$/);
  await expect(page.locator('.status[data-status="submitted"]')).toBeVisible();
  await expect(page.locator(".status__org")).toHaveText(a.orgName);
  await fits("status page");
}

// ---------------------------------------------------------------------------
// The operator.

async function openApplication(op: Page, a: Applicant) {
  await op.goto("/operator/reviews");
  const row = op.locator('[data-table="reviews"] tbody tr', { hasText: a.orgName });
  await expect(row).toHaveCount(1);
  await expect(row).toContainText(a.creditCode);
  await hydrated(op);
  await row.getByRole("link", { name: a.orgName }).click();
  await expect(op).toHaveURL(/\/operator\/reviews\/[0-9a-f-]{36}$/);
  await expect(op.locator('[data-page="review-detail"] h1')).toHaveText(a.orgName);
  await hydrated(op);
}

const statusBadge = (op: Page) => op.locator('[data-page="review-detail"] .detail__header [data-status]');

// ---------------------------------------------------------------------------

test("an organisation registers, is turned back for a blurred licence, corrects it and is approved", async ({
  page,
  browser,
  baseURL,
  problems,
}) => {
  test.setTimeout(240_000);
  const a = applicant("Desktop");

  await test.step("the applicant fills in and submits the application", async () => {
    await applyFor(page, a, async () => {});
  });

  const op = await test.step("an operator signs in", () => operatorPage(browser, baseURL!, problems));

  await test.step("the operator rejects the licence photo", async () => {
    await openApplication(op, a);
    await expect(statusBadge(op)).toHaveAttribute("data-status", /^(submitted|in_review)$/);
    await expect(op.locator('dd[data-field="credit_code"]')).toContainText(a.creditCode);
    await expect(op.locator('dd[data-field="admin_email"]')).toContainText(a.email);
    // The pictures load, and the PDF is framed and served as a PDF.
    for (const kind of ["licence", "id_front"]) {
      const img = op.locator(`li.document[data-kind="${kind}"] img`);
      await expect.poll(() => img.evaluate((i: HTMLImageElement) => i.complete && i.naturalWidth)).toBe(480);
    }
    const frame = op.locator('li.document[data-kind="id_back"] iframe');
    const src = await frame.getAttribute("src");
    expect(src).toMatch(/^\/operator\/reviews\/[0-9a-f-]{36}\/files\/id_back\?v=/);
    const file = await op.request.get(src!);
    expect(file.headers()["content-type"]).toContain("application/pdf");
    expect((await file.body()).subarray(0, 5).toString()).toBe("%PDF-");
    await expect(op.locator('li.document[data-kind="bank_permit"]')).toContainText("Not provided");

    // Every text of the page (labels, values, document titles, the identity
    // check) switches language in place, and back.
    const data = [a.orgName, a.creditCode, a.email, a.adminName, a.legalName, a.legalId, a.mobile, "Registration Reviewer"];
    await switchTo(op, "zh-CN");
    expect(await leftovers(op, "zh-CN", data)).toEqual([]);
    await switchTo(op, "en");
    expect(await leftovers(op, "en", data)).toEqual([]);

    await op.locator('input[name="reasons[]"][value="licence:blurred"]').check();
    await op.locator('textarea[name="note"]').fill("The licence number cannot be read; please photograph it again.");
    await op.locator('[data-action="reject"]').click();
    await expect(statusBadge(op)).toHaveAttribute("data-status", "rejected");
    await expect(op.locator('.history__list li[data-decision="rejected"]')).toBeVisible();
  });

  await test.step("the applicant sees why, replaces the licence and submits again", async () => {
    await waitForMail(page.request, a.email, (m) => m.subject.includes("needs changes"));
    await page.goto("/register/status");
    await expect(page.locator('.status[data-status="rejected"]')).toBeVisible();
    await expect(page.locator('li[data-subject="licence"][data-reason="blurred"]')).toBeVisible();
    await expect(page.locator(".reasons__note")).toContainText("cannot be read");

    await page.goto("/register/documents");
    await onStep(page, "documents");
    await uploadAccepted(page, "licence", {
      name: "licence-sharp.jpg",
      mimeType: "image/jpeg",
      buffer: await jpeg(page, "营业执照 sharp", "#8b2d5f"),
    });
    await page.goto("/register/review");
    await onStep(page, "review");
    await expect(page.locator('[data-state="rejected"] li[data-subject="licence"]')).toBeVisible();
    await expect(page.locator('section.summary[data-section="documents"]')).toContainText("licence-sharp.jpg");
    await page.locator('input[name="accept_terms"]').check();
    await page.locator('[data-action="submit"]').click();
    await expect(page).toHaveURL(/\/register\/status$/);
    await expect(page.locator('.status[data-status="submitted"]')).toBeVisible();
  });

  await test.step("the operator sees what changed and approves", async () => {
    await openApplication(op, a);
    const changes = op.locator('[data-state="changes"]');
    await expect(changes.locator('li[data-field="licence"]')).toBeVisible();
    await expect(changes.locator("li")).toHaveCount(1);
    await expect(op.locator('li.document[data-kind="licence"]')).toContainText("licence-sharp.jpg");
    await op.locator('input[name="confirm"]').check();
    await op.locator('[data-action="approve"]').click();
    await expect(statusBadge(op)).toHaveAttribute("data-status", "approved");
    await expect(op.locator('[data-page="review-detail"] p[data-state="approved"]')).toBeVisible();
    await op.context().close();
  });

  await test.step("the applicant is told, and the administrator can sign in", async () => {
    await page.goto("/register/status");
    await expect(page.locator('.status[data-status="approved"]')).toBeVisible();
    await expect(page.locator('.status a[href="/login"]')).toBeVisible();
    const mail = await waitForMail(page.request, a.email, (m) => /approved|已通过/.test(m.subject));
    expect(mail.subject).toContain(a.orgName);
    const sms = await waitForSms(page.request, a.mobileE164, (m) => /approved|已通过/.test(m.text));
    expect(sms.text).toContain(a.orgName);

    await page.goto("/login");
    await hydrated(page);
    await page.getByLabel("Mobile number or email").fill(a.email);
    await page.getByLabel("Password").fill(a.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    // The organisation asks its administrators for a second factor.
    await expect(page).toHaveURL(/\/(account\/security|admin)$/);
  });
});

test.describe("on a phone", () => {
  test.use({ viewport: { width: 375, height: 800 }, isMobile: true, hasTouch: true });

  test("every step of the application fits a 375 px wide screen, and the documents go without JavaScript", async ({
    page,
    problems,
  }) => {
    test.setTimeout(120_000);
    await applyFor(page, applicant("Phone"), (what) => fitsWidth(page, what), { problems });
  });
});
