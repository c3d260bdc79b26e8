// Signing in to the dashboard as a person does: the password typed into the login form and submitted.
// Every Chromium test that needs a signed-in page goes through here.
import type { Page } from "playwright-core";

/** The password `prepareHome` sets for the dashboard tests' homes */
export const PASSWORD = "web-test-password-7f3a";

/** Types `password` into the login form and submits it (a wrong one leaves the form in place) */
export async function submitLogin(page: Page, password: string): Promise<void> {
  await page.fill("#password", password);
  await page.click("form.login button[type=submit]");
}

/** Waits until the health page, where a sign-in lands, has drawn its data */
export async function waitForHealth(page: Page): Promise<void> {
  await page.waitForSelector('main[data-page="health"][data-ready="true"]', { timeout: 30_000 });
}

/** Signs in through the login form and waits for the health page */
export async function signIn(page: Page, url: string): Promise<void> {
  await page.goto(`${url}/`);
  await submitLogin(page, PASSWORD);
  await waitForHealth(page);
}
