import type { Page } from "@playwright/test";
import { expect, test } from "./fixtures";
import { hydrated } from "./helpers";

test.describe("with JavaScript", () => {
  test.use({ locale: "en-US" });

  test("the language switches in place, without reloading, and is remembered", async ({ page }) => {
    await page.goto("/");
    await hydrated(page);
    await expect(page.locator("html")).toHaveAttribute("lang", "en");
    await expect(page.getByRole("heading", { level: 1 })).toContainText("set up properly");

    // A marker on window survives only if the page is not reloaded.
    await page.evaluate(() => ((window as any).__sameDocument = true));
    await page.getByRole("button", { name: "简体中文" }).click();

    await expect(page.locator("html")).toHaveAttribute("lang", "zh-CN");
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("从第一天起，把组织搭建好");
    await expect(page.getByRole("button", { name: "简体中文" })).toHaveAttribute("aria-pressed", "true");
    expect(await page.evaluate(() => (window as any).__sameDocument)).toBe(true);
    await expect(page).toHaveTitle(/Orgdesk/);

    // The choice is remembered by the server on the next visit.
    await page.reload();
    await expect(page.locator("html")).toHaveAttribute("lang", "zh-CN");
    await expect(page.getByRole("link", { name: "注册组织" })).toBeVisible();
  });

  test("client-side navigation reaches registration and back", async ({ page }) => {
    await page.goto("/");
    await hydrated(page);
    await page.evaluate(() => ((window as any).__sameDocument = true));
    await page.getByRole("link", { name: "Register your organisation" }).click();
    await expect(page).toHaveURL(/\/register$/);
    await expect(page.locator('[data-page="register"]')).toBeVisible();
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Register your organisation");
    expect(await page.evaluate(() => (window as any).__sameDocument)).toBe(true);
  });

  test("an unknown address shows the 404 page", async ({ page }) => {
    const res = await page.goto("/no/such/page");
    expect(res?.status()).toBe(404);
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Page not found");
    await expect(page.getByRole("link", { name: "Go to the home page" })).toBeVisible();
  });

  test("fits a 375 px wide phone without sideways scrolling", async ({ page }) => {
    await page.setViewportSize({ width: 375, height: 740 });
    for (const path of ["/", "/admin/contacts", "/no/such/page"]) {
      await page.goto(path);
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      expect(width, path).toBeLessThanOrEqual(375);
    }
    await expect(page.getByRole("button", { name: "简体中文" })).toBeVisible();
  });

  test("keyboard users can skip to the content", async ({ page }) => {
    await page.goto("/");
    await page.keyboard.press("Tab");
    const skip = page.getByRole("link", { name: "Skip to content" });
    await expect(skip).toBeFocused();
    await expect(skip).toBeVisible();
  });
});

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false, locale: "zh-CN" });

  test("the page is served in the browser's language and the switch posts a form", async ({ page }) => {
    await page.goto("/");
    await expect(page.locator("html")).toHaveAttribute("lang", "zh-CN");
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("从第一天起，把组织搭建好");

    await page.getByRole("button", { name: "English" }).click();
    await page.waitForURL((url) => url.pathname === "/");
    await expect(page.locator("html")).toHaveAttribute("lang", "en");
    await expect(page.getByRole("heading", { level: 1 })).toContainText("set up properly");
    await expect(page.getByRole("button", { name: "English" })).toHaveAttribute("aria-pressed", "true");
  });
});
