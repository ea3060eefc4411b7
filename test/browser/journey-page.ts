/**
 * Reading the demo's live journey page, as the browser tests of every flow
 * do: where the user lands back, the event the page shows once the journey
 * is over, and the timeline's steps.
 */
import type { LocalStack } from '@signupplus/local';
import type { Page } from 'playwright-core';
import type { z } from 'zod';

/** Back on the demo: the journey's id from the return URL. */
export async function backOnTheDemo(page: Page, stack: LocalStack): Promise<string> {
  await page.waitForURL((url) => url.origin === stack.urls.api && url.searchParams.has('onboarding_id'));
  return new URL(page.url()).searchParams.get('onboarding_id') ?? '';
}

/** Once the journey is over, the event the page shows, parsed with the test's own view of it. */
export async function shownEvent<S extends z.ZodType>(page: Page, schema: S): Promise<z.output<S>> {
  await page.locator('body[data-journey="done"]').waitFor();
  return schema.parse(JSON.parse((await page.locator('#event').textContent()) ?? ''));
}

/** The timeline's steps, by name, in the order the page shows them. */
export const stepNames = (page: Page) =>
  page.locator('#timeline .step').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-name')));

/** What the page says of a step (its latest row). */
export const stepLabel = (page: Page, name: string) =>
  page.locator(`#timeline .step[data-name="${name}"] .label`).last().textContent();

/**
 * Waits until the live timeline shows the step (with that outcome): the page may show the record
 * (a choice to make, an end) a moment before the stream has delivered the workflow's steps.
 */
export const stepShown = (page: Page, name: string, outcome?: string) =>
  page
    .locator(`#timeline .step[data-name="${name}"]${outcome ? `[data-outcome="${outcome}"]` : ''}`)
    .last()
    .waitFor();
