// Shared pieces of the browser specs: hydration, accounts made with the
// command line and signing them in, authenticator codes, and reading what
// the server under test sent by email (maildev) and by text message
// (end2end/sms-sink.mjs).
import { expect, type APIRequestContext, type Browser, type Page } from "@playwright/test";
import AxeBuilder from "@axe-core/playwright";
import { readFileSync, writeFileSync } from "node:fs";
import { watchContext } from "./fixtures";
import { execFileSync } from "node:child_process";
import { createHmac, randomInt } from "node:crypto";

export const SERVER_LOG = process.env.ORGDESK_SERVER_LOG ?? "../target/e2e-server.log";
export const MAILDEV = process.env.ORGDESK_MAILDEV ?? "http://127.0.0.1:3180";
export const SMS_SINK = process.env.ORGDESK_SMS_SINK ?? "http://127.0.0.1:3190";
export const ORGDESK_BIN = process.env.ORGDESK_BIN ?? "../target/debug/orgdesk";
export const DATABASE_URL = process.env.ORGDESK_DATABASE_URL;

/** Waits until the client has taken over the server-rendered page: a click
 * before that is lost. The first page of a browser context compiles the
 * debug build's wasm (about 18 MB): some 5 s alone, longer while the other
 * worker keeps both cores busy. */
export async function hydrated(page: Page) {
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true", { timeout: 30_000 });
}

/** A short tag that keeps names and addresses of one test apart from another's. */
export function uniqueTag(): string {
  return `${Date.now().toString(36)}${randomInt(1000)}`;
}

/** Runs `orgdesk <args>` against the test database, the password on stdin. */
export function orgdesk(args: string[], password: string): string {
  return execFileSync(ORGDESK_BIN, args, { input: `${password}\n`, env: { ...process.env, DATABASE_URL } }).toString();
}

/** An organisation whose administrator signs in with a password alone. */
export function createOrganisation(name: string, adminEmail: string, password: string): string {
  const out = orgdesk(
    ["org", "create", "--name", name, "--admin-name", "Admin", "--admin-email", adminEmail, "--no-enforce-two-factor"],
    password,
  );
  return /organisation ([0-9a-f-]{36})/.exec(out)?.[1] ?? "";
}

/** An active member of `org` who signs in with `password`: in `department`
 * (a path such as `Sales/East`, made as needed), reporting to `manager` (an
 * email). */
export function addMember(
  org: string,
  name: string,
  email: string,
  password: string,
  options: { department?: string; manager?: string; head?: boolean; position?: string } = {},
) {
  const args = ["org", "member", "--org", org, "--name", name, "--email", email];
  if (options.department) args.push("--department", options.department);
  if (options.manager) args.push("--manager", options.manager);
  if (options.head) args.push("--head");
  if (options.position) args.push("--position", options.position);
  orgdesk(args, password);
}

/** A platform operator, who enrols an authenticator app at first sign-in. */
export function createOperator(email: string, name: string, password: string) {
  orgdesk(["operator", "create", "--email", email, "--name", name], password);
}

/** Fills and sends the password step at `path` (`/login` or `/operator/login`);
 * where the browser goes next is for the caller to check. */
export async function signIn(page: Page, path: string, email: string, password: string) {
  await page.goto(path);
  await hydrated(page);
  await page.getByLabel("Mobile number or email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

export function base32Decode(input: string): Buffer {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  const clean = input.replace(/[\s=]/g, "").toUpperCase();
  let bits = 0;
  let value = 0;
  const out: number[] = [];
  for (const ch of clean) {
    const idx = alphabet.indexOf(ch);
    if (idx < 0) throw new Error(`not base32: ${ch}`);
    value = (value << 5) | idx;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

/** RFC 6238 TOTP (SHA-1, 6 digits) for one 30 s step. */
export function totp(secret: Buffer, step: number): string {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = createHmac("sha1", secret).update(counter).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  const code = (mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000;
  return code.toString().padStart(6, "0");
}

const currentStep = () => Math.floor(Date.now() / 1000 / 30);

/** The server accepts one step either side and never the same step twice:
 * use the newest acceptable step, waiting when it was already used. */
const lastStep = new Map<string, number>();
export async function nextCode(secret: Buffer): Promise<string> {
  const key = secret.toString("hex");
  for (;;) {
    const step = currentStep() + 1;
    if (step > (lastStep.get(key) ?? 0)) {
      lastStep.set(key, step);
      return totp(secret, step);
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
}

export type Mail = {
  subject: string;
  text: string;
  to: { address: string }[];
};

/** Every message maildev received, oldest first. */
export async function mails(request: APIRequestContext): Promise<Mail[]> {
  return (await request.get(`${MAILDEV}/api/email`)).json();
}

/** Waits for a message to `address` that `match` accepts (the outbox sends
 * asynchronously), and returns the newest such message. */
export async function waitForMail(
  request: APIRequestContext,
  address: string,
  match: (m: Mail) => boolean = () => true,
  timeout = 20_000,
): Promise<Mail> {
  let found: Mail | undefined;
  await expect(async () => {
    const all = await mails(request);
    found = all.filter((m) => m.to.some((t) => t.address === address) && match(m)).at(-1);
    expect(found, `a message to ${address}`).toBeTruthy();
  }).toPass({ timeout });
  return found!;
}

export type Sms = { to: string; text: string; at: string };

/** Text messages the SMS sink received for `to` (E.164), oldest first. */
export async function smsTo(request: APIRequestContext, to: string): Promise<Sms[]> {
  return (await request.get(`${SMS_SINK}/messages?to=${encodeURIComponent(to)}`)).json();
}

/** Waits for a text message to `to` that `match` accepts, and returns the newest. */
export async function waitForSms(
  request: APIRequestContext,
  to: string,
  match: (m: Sms) => boolean = () => true,
  timeout = 20_000,
): Promise<Sms> {
  let found: Sms | undefined;
  await expect(async () => {
    found = (await smsTo(request, to)).filter(match).at(-1);
    expect(found, `a text message to ${to}`).toBeTruthy();
  }).toPass({ timeout });
  return found!;
}

/** The 6-digit code in a message's text. */
export function codeIn(text: string): string {
  const match = text.match(/\b(\d{6})\b/);
  if (!match) throw new Error(`no code in: ${text}`);
  return match[1];
}

/** The first operator, whom first-run.spec makes from the setup link. */
export const FIRST_OPERATOR = {
  email: "ops@orgdesk.example",
  name: "Platform Ops",
  password: "purple-otter-meadow-42",
};

/** Where first-run.spec writes down the first operator's app secret and
 * recovery codes (beside the server's log: one server, one operator). */
const FIRST_OPERATOR_FILE = SERVER_LOG.replace(/\.log$/, "") + "-first-operator.json";

export function saveFirstOperator(secret: Buffer, recoveryCodes: string[]) {
  writeFileSync(FIRST_OPERATOR_FILE, JSON.stringify({ secret: secret.toString("hex"), recoveryCodes }));
}

export function firstOperator(): { secret: Buffer; recoveryCodes: string[] } {
  const saved = JSON.parse(readFileSync(FIRST_OPERATOR_FILE, "utf8"));
  return { secret: Buffer.from(saved.secret, "hex"), recoveryCodes: saved.recoveryCodes };
}

/** Creates an operator with the CLI and signs them in, enrolling the
 * authenticator app they must have. Returns their signed-in page. */
export async function operatorPage(browser: Browser, baseURL: string, problems: string[]): Promise<Page> {
  const context = await browser.newContext({ baseURL, locale: "en-US" });
  watchContext(context, problems);
  const page = await context.newPage();
  const email = `reviewer-${uniqueTag()}@orgdesk.example`;
  const password = "slate-heron-window-31";
  createOperator(email, "Registration Reviewer", password);
  await signIn(page, "/operator/login", email, password);
  await expect(page).toHaveURL(/\/account\/security$/);
  await page.getByRole("button", { name: "Set up authenticator app" }).click();
  const secret = base32Decode((await page.getByTestId("totp-secret").textContent()) ?? "");
  await page.getByLabel("Code from the app").fill(await nextCode(secret));
  await page.getByRole("button", { name: "Turn on" }).click();
  await expect(page.getByTestId("recovery-codes").locator("li code")).toHaveCount(10);
  await page.getByRole("link", { name: "Continue" }).click();
  await expect(page).toHaveURL(/\/operator$/);
  return page;
}

/** Text of another language left on the page: for Chinese, words of two or
 * more Latin letters; for English, Chinese characters. Elements that say
 * they are in another language (the language switch) or are not to be
 * translated (`translate="no"`: names, addresses, records as written), code,
 * inputs and the strings in `data` (names the test made) do not count. */
export async function leftovers(page: Page, language: "en" | "zh-CN", data: string[]): Promise<string[]> {
  const text = await page.evaluate((lang) => {
    const clone = document.body.cloneNode(true) as HTMLElement;
    clone
      .querySelectorAll(`[lang]:not([lang="${lang}"]), [translate="no"], script, style, code, kbd, input, textarea, select`)
      .forEach((e) => e.remove());
    return clone.textContent ?? "";
  }, language);
  let rest = text;
  for (const d of data) rest = rest.split(d).join(" ");
  // Names that are the same in both languages: the product, time zones,
  // addresses, and the letters a Chinese sentence keeps (App, ID, QR, SMS…).
  rest = rest
    .replace(/Orgdesk/g, " ")
    .replace(/[A-Za-z]+\/[A-Za-z_]+/g, " ")
    .replace(/\S+@\S+/g, " ")
    .replace(/https?:\/\/\S+/g, " ");
  if (language === "zh-CN") {
    const allowed = new Set(["App", "ID", "IP", "QR", "SMS", "SMTP", "UTC", "CSV", "XLSX", "XLS", "Excel", "UTF", "GBK", "PDF", "JPG", "JPEG", "PNG", "MB", "KB", "TOTP", "PostgreSQL", "Office"]);
    return [...new Set(rest.match(/[A-Za-z]{2,}/g) ?? [])].filter((w) => !allowed.has(w));
  }
  return [...new Set(rest.match(/[\u3400-\u9fff]+/g) ?? [])];
}

export async function switchTo(page: Page, language: "en" | "zh-CN") {
  await page.getByRole("button", { name: language === "en" ? "English" : "简体中文" }).click();
  await expect(page.locator("html")).toHaveAttribute("lang", language);
}

/** Serious and critical axe-core findings, one line each. */
export async function violations(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page }).analyze();
  return result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .flatMap((v) => v.nodes.map((n) => `${v.id} (${v.impact}): ${n.target.join(" ")} ${n.failureSummary ?? ""}`));
}

/** Table cells whose identifier runs over more than one line. */
export async function wrappedIdentifiers(page: Page): Promise<string[]> {
  return page.locator(".table__mono:not(.table__record)").evaluateAll((cells) =>
    cells
      .filter((c) => {
        const range = document.createRange();
        range.selectNodeContents(c);
        return new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size > 1;
      })
      .map((c) => c.textContent ?? ""),
  );
}

/** Opens `path` in English, checks it, switches to Chinese in place, checks
 * again, and back. */
export async function checkPage(page: Page, path: string, data: string[], findings: Map<string, string[]>) {
  await page.goto(path);
  await hydrated(page);
  if ((await page.locator("html").getAttribute("lang")) !== "en") await switchTo(page, "en");
  findings.set(`${path} en axe`, await violations(page));
  await switchTo(page, "zh-CN");
  findings.set(`${path} zh-CN leftovers`, await leftovers(page, "zh-CN", data));
  findings.set(`${path} zh-CN axe`, await violations(page));
  await switchTo(page, "en");
  findings.set(`${path} en leftovers`, await leftovers(page, "en", data));
  // At 1280 px no identifier in a table wraps; at 375 px nothing scrolls sideways.
  await page.setViewportSize({ width: 1280, height: 800 });
  findings.set(`${path} 1280 px wrapped identifiers`, await wrappedIdentifiers(page));
  await page.setViewportSize({ width: 375, height: 800 });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  findings.set(`${path} 375 px sideways scroll`, overflow > 0 ? [`${overflow} px wider than the screen`] : []);
  await page.setViewportSize({ width: 1280, height: 800 });
}

export function report(findings: Map<string, string[]>) {
  const bad = [...findings].filter(([, list]) => list.length > 0);
  expect(bad.map(([k, list]) => `${k}:\n  ${list.join("\n  ")}`).join("\n")).toBe("");
}
