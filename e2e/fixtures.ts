// Shared test setup: `test` skips itself when Chromium is missing (playwright.config.ts has already
// printed why, or failed the run on CI), plus small helpers every spec uses.
import { mkdirSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { test as base, type BrowserContext, expect, type Page } from '@playwright/test';
import { CHROMIUM_PATH, chromiumMissing } from './chromium.js';

export { expect };

export const test = base.extend<{ chromiumPresent: void }>({
  chromiumPresent: [
    async ({}, use, testInfo) => {
      testInfo.skip(chromiumMissing, `${CHROMIUM_PATH} not found: install it with apt-get install -y chromium`);
      await use();
    },
    { auto: true },
  ],
});

/** `anotherBrowser()`: a browser of its own (own cookies, so nobody is signed in) for one more person; closed after the test. */
export const testWithBrowsers = test.extend<{ anotherBrowser: () => Promise<Page> }>({
  anotherBrowser: async ({ browser }, use) => {
    const contexts: BrowserContext[] = [];
    await use(async () => {
      const context = await browser.newContext();
      contexts.push(context);
      return context.newPage();
    });
    for (const context of contexts) await context.close();
  },
});

const SCREENSHOTS = new URL('./screenshots/', import.meta.url);

/** A full-page PNG of what the person sees now, as e2e/screenshots/<name>.png (git-ignored). */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: new URL(`${name}.png`, SCREENSHOTS).pathname, fullPage: true });
}

/** A fresh address for each test, so tests never share accounts or mail. */
export function uniqueEmail(who: string): string {
  return `${who}-${randomUUID().slice(0, 8)}@example.test`;
}

/** The nearest form with an accessible name, or fieldset, around a control. */
const NAMED_GROUP = 'xpath=ancestor::*[self::fieldset or (self::form and (@aria-label or @aria-labelledby))][1]';

/** The name a screen reader announces for a form (aria-label / aria-labelledby) or fieldset (legend). */
function groupName(group: unknown): string {
  const el = group as {
    tagName: string;
    getAttribute(name: string): string | null;
    querySelector(s: string): { textContent: string | null } | null;
    ownerDocument: { getElementById(id: string): { textContent: string | null } | null };
  };
  if (el.tagName === 'FIELDSET') return (el.querySelector(':scope > legend')?.textContent ?? '').trim();
  const labelledBy = el.getAttribute('aria-labelledby');
  return (
    labelledBy
      ? labelledBy
          .split(/\s+/)
          .map((id) => el.ownerDocument.getElementById(id)?.textContent ?? '')
          .join(' ')
      : (el.getAttribute('aria-label') ?? '')
  ).trim();
}

/**
 * Accessibility basics of the current page: `<html lang>` is set, the page has a title and exactly
 * one h1, every visible form control has a label that getByLabel finds (a label repeated on the page,
 * such as a role checkbox in every member's row, must be unique within a named form or fieldset),
 * and every button and link has a name.
 */
export async function expectAccessibleBasics(page: Page): Promise<void> {
  await expect(page.locator('html')).toHaveAttribute('lang', /^[a-z]{2}(-[A-Za-z0-9]+)*$/);
  await expect(page).toHaveTitle(/\S/);
  await expect(page.locator('h1')).toHaveCount(1);
  await expect(page.locator('h1')).toBeVisible();

  const controls = page.locator('input:not([type=hidden]), select, textarea');
  for (const control of await controls.all()) {
    if (!(await control.isVisible())) continue;
    const label = await control.evaluate((el) => {
      const input = el as unknown as {
        labels: ArrayLike<{ textContent: string | null }> | null;
        getAttribute(name: string): string | null;
      };
      return (input.labels?.[0]?.textContent ?? input.getAttribute('aria-label') ?? '').trim();
    });
    expect(label, `a visible ${await control.evaluate((el) => el.outerHTML)} has no label`).not.toBe('');
    // A label may repeat (a "tenant-admin" checkbox in every member's row) only inside a named group.
    const repeated = (await page.getByLabel(label, { exact: true }).count()) > 1;
    const group = control.locator(NAMED_GROUP);
    if (repeated) {
      await expect(
        group,
        `getByLabel(${JSON.stringify(label)}) finds several controls, and this one is in no named form or fieldset`,
      ).toHaveCount(1);
      expect(
        await group.evaluate(groupName),
        `the group around the repeated label ${JSON.stringify(label)} has no name`,
      ).not.toBe('');
    }
    const byLabel = (repeated ? group : page).getByLabel(label, { exact: true });
    await expect(
      byLabel,
      `getByLabel(${JSON.stringify(label)}) should find exactly one control${repeated ? ' in its group' : ''}`,
    ).toHaveCount(1);
    expect(await byLabel.evaluate((el, other) => el === other, await control.elementHandle())).toBe(true);
  }

  const unnamed = await page.locator('button, a[href], [role=button], [role=link]').evaluateAll((elements) =>
    elements
      .filter((el) => (el as unknown as { checkVisibility(): boolean }).checkVisibility())
      .filter((el) => !((el.textContent ?? '').trim() || el.getAttribute('aria-label')))
      .map((el) => el.outerHTML),
  );
  expect(unnamed, 'buttons and links without a name').toEqual([]);
}

/** Fails when the page scrolls sideways (wider than the window, e.g. at a phone's 375 px). */
export async function expectNoHorizontalScroll(page: Page): Promise<void> {
  const { scrollWidth, clientWidth } = await page
    .locator('html')
    .evaluate((html) => ({ scrollWidth: html.scrollWidth, clientWidth: html.clientWidth }));
  expect(scrollWidth, `${page.url()} is wider than the screen`).toBeLessThanOrEqual(clientWidth);
}
