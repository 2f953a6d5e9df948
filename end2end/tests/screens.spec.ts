// Every page as a person sees it, in both languages: the language switch
// leaves no text of the other language behind, and axe-core finds no serious
// or critical accessibility violation (contrast included), signed out, as an
// organisation's administrator and as a platform operator.
import { expect, test, type Page } from "./fixtures";
import {
  createOrganisation,
  hydrated,
  leftovers,
  operatorPage,
  signIn,
  switchTo,
  uniqueTag,
  violations,
} from "./helpers";

/** Opens `path` in English, checks it, switches to Chinese in place, checks
 * again, and back. */
async function checkPage(page: Page, path: string, data: string[], findings: Map<string, string[]>) {
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
  findings.set(
    `${path} 1280 px wrapped identifiers`,
    await page.locator(".table__mono").evaluateAll((cells) =>
      cells
        .filter((c) => {
          const range = document.createRange();
          range.selectNodeContents(c);
          const lines = new Set([...range.getClientRects()].map((r) => Math.round(r.top)));
          return lines.size > 1;
        })
        .map((c) => c.textContent ?? ""),
    ),
  );
  await page.setViewportSize({ width: 375, height: 800 });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  findings.set(`${path} 375 px sideways scroll`, overflow > 0 ? [`${overflow} px wider than the screen`] : []);
  await page.setViewportSize({ width: 1280, height: 800 });
}

function report(findings: Map<string, string[]>) {
  const bad = [...findings].filter(([, list]) => list.length > 0);
  expect(bad.map(([k, list]) => `${k}:\n  ${list.join("\n  ")}`).join("\n")).toBe("");
}

test.use({ locale: "en-US" });

test("signed out, every page reads whole in each language and passes axe", async ({ page }) => {
  test.setTimeout(180_000);
  const findings = new Map<string, string[]>();
  for (const path of ["/", "/register", "/register/resume", "/login", "/login/forgot", "/operator/login", "/no-such-page"]) {
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
  const findings = new Map<string, string[]>();
  for (const path of ["/admin", "/admin/contacts", "/admin/contacts/employees/new", "/admin/audit", "/account/security"]) {
    await checkPage(page, path, data, findings);
  }
  // The administrator's own employee page, with its change history.
  await page.goto("/admin/contacts");
  await page.locator('[data-table="members"] tbody a').first().click();
  await expect(page).toHaveURL(/\/admin\/contacts\/employees\/[0-9a-f-]{36}$/);
  await checkPage(page, new URL(page.url()).pathname, data, findings);
  report(findings);
});

test("an operator's pages read whole in each language and pass axe", async ({ browser, baseURL, problems }) => {
  test.setTimeout(240_000);
  const op = await operatorPage(browser, baseURL!, problems);
  const findings = new Map<string, string[]>();
  for (const path of ["/operator", "/operator/reviews", "/operator/accounts", "/operator/audit", "/operator/deliveries"]) {
    await checkPage(op, path, ["Registration Reviewer"], findings);
  }
  report(findings);
});
