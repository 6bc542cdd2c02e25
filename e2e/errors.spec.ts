// Error pages people can land on.
import { expect, expectAccessibleBasics, screenshot, test } from './fixtures.js';

test('an unknown address shows a "Page not found" page with status 404', async ({ page }) => {
  const response = await page.goto('/no-such-page');
  expect(response?.status()).toBe(404);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Page not found');
  await expect(page.getByText('There is nothing at this address. Check the link and try again.')).toBeVisible();
  await expectAccessibleBasics(page);
  await screenshot(page, '30-error-not-found');
});

test('an interaction that does not exist explains that the sign-in took too long', async ({ page }) => {
  const response = await page.goto('/interaction/this-does-not-exist');
  expect(response?.status()).toBeGreaterThanOrEqual(400);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Your sign-in took too long');
  await expectAccessibleBasics(page);
  await screenshot(page, '31-error-session-not-found');
});
