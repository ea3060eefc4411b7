/**
 * `npm run docs:examples`: runs real journeys on an in-process local runtime,
 * keeps the first event of each detail type as it was delivered, writes them
 * to schemas/examples/ and refreshes the example blocks of docs/events.md.
 * The examples carry the sandbox users' made-up personal data.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { z } from 'zod';
import type { DeliveredEvent } from '../local/eventbridge.ts';
import { startLocalStack } from '../local/stack.ts';
import {
  committedExamples,
  EVENTS_DOC,
  exampleBlocks,
  examplePath,
  withExamples,
} from './lib/event-examples.ts';
import { type DetailTypeName, detailTypeNames } from './lib/event-schemas.ts';
import { fromRoot, type GeneratedFile, jsonText, writeFiles } from './lib/files.ts';

const TIMEOUT_MS = 15_000;
const stack = await startLocalStack({
  logLevel: 'SILENT',
  retryIntervalMs: 1,
  accountChoiceTimeoutSeconds: 2,
  // A connection nobody goes through expires within seconds (the other journeys use their links at once).
  authLinkTtlSeconds: 3,
  scheduleIntervalMs: 200,
});
const captured = new Map<string, DeliveredEvent>();
const unsubscribe = stack.bus.subscribe((event) => {
  if (!captured.has(event['detail-type'])) captured.set(event['detail-type'], structuredClone(event));
});

async function json<S extends z.ZodType>(schema: S, method: string, url: string, body?: unknown) {
  const response = await fetch(url, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return schema.parse(await response.json());
}

async function until(what: string, check: () => boolean): Promise<void> {
  const deadline = Date.now() + TIMEOUT_MS;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A Signup+ journey up to the callback, as `user` deciding `decision`. */
async function signupPlus(user: string, reference: string, decision: 'approve' | 'deny' = 'approve') {
  const created = await json(
    z.object({ onboarding_id: z.string(), auth_link: z.string() }),
    'POST',
    `${stack.urls.api}/onboardings`,
    { reference },
  );
  const { redirect_to } = await json(
    z.object({ redirect_to: z.string() }),
    'POST',
    `${stack.urls.truelayer_auth}/_sandbox/authorize`,
    { auth_link: created.auth_link, user, decision },
  );
  await fetch(redirect_to, { redirect: 'manual' });
  return created.onboarding_id;
}

/** A Data API v3 connection in the hosted configuration, approved as `user` or denied at TrueLayer's page. */
async function dataConnection(decision: 'approve' | 'deny' | 'abandon') {
  const created = await json(
    z.object({ onboarding_id: z.string(), redirect_to: z.string() }),
    'POST',
    `${stack.urls.api}/connections`,
    {
      scopes: ['accounts', 'transactions'],
      provider_selection: { type: 'user_selected' },
      user: { name: 'Jane Smith', email: 'jane@example.com' },
      user_consent: { type: 'authorization_flow_captured' },
      hosted_page: { type: 'authorization_flow', return_uri: 'https://app.example.com/connected' },
    },
  );
  if (decision === 'abandon') return created.onboarding_id;
  const { redirect_to } = await json(
    z.object({ redirect_to: z.string() }),
    'POST',
    `${stack.urls.truelayer_auth}/_sandbox/connections/authorize`,
    { uri: created.redirect_to, decision, ...(decision === 'approve' ? { user: 'john' } : {}) },
  );
  await fetch(redirect_to, { redirect: 'manual' });
  return created.onboarding_id;
}

const published = (id: string, detailType: string) => () =>
  stack.events(id).some((event) => event['detail-type'] === detailType);

try {
  const john = await signupPlus('john', 'customer-42');
  await until('john to be ready for payment', published(john, 'Onboarding Ready For Payment'));
  // jane never chooses: the wait times out after 2 s and the journey expires.
  const jane = await signupPlus('jane', 'customer-43');
  await until('jane to expire', published(jane, 'Onboarding Expired'));
  const denied = await signupPlus('john', 'customer-44', 'deny');
  await until('the denial', published(denied, 'Onboarding Failed'));
  // The person behind the denied journey asks for erasure (DELETE /onboardings/{id}).
  await fetch(`${stack.urls.api}/onboardings/${denied}`, { method: 'DELETE' });
  await until('the erasure', published(denied, 'Onboarding Erased'));
  const connected = await dataConnection('approve');
  await until('the data connection', published(connected, 'Data Connection Authorized'));
  const refused = await dataConnection('deny');
  await until('the refused data connection', published(refused, 'Data Connection Failed'));
  const abandoned = await dataConnection('abandon');
  await until('the abandoned data connection to expire', published(abandoned, 'Data Connection Expired'));
  await stack.bus.drain();
} finally {
  unsubscribe();
  await stack.close();
}

const files: GeneratedFile[] = [];
const missing: DetailTypeName[] = [];
for (const detailType of detailTypeNames) {
  const event = captured.get(detailType);
  if (event) files.push({ path: examplePath(detailType), text: jsonText(event) });
  else missing.push(detailType);
}
for (const path of writeFiles(files)) console.log(`wrote ${path}`);
for (const detailType of missing)
  console.warn(`warning: no journey here publishes ${detailType}; its example is unchanged`);

const doc = readFileSync(fromRoot(EVENTS_DOC), 'utf8');
const updated = withExamples(doc, committedExamples());
if (updated !== doc) {
  writeFileSync(fromRoot(EVENTS_DOC), updated);
  // Biome formats the JSON blocks of markdown too (npm run lint checks it): let it lay them out.
  // Through Node, not node_modules/.bin/biome: on Windows that is a .cmd a plain spawn cannot run.
  spawnSync(
    process.execPath,
    [fromRoot('node_modules/@biomejs/biome/bin/biome'), 'format', '--write', EVENTS_DOC],
    {
      cwd: fromRoot(),
    },
  );
  console.log(`wrote ${EVENTS_DOC}`);
}
const unknownBlocks = [...exampleBlocks(readFileSync(fromRoot(EVENTS_DOC), 'utf8')).keys()].filter(
  (name) => !committedExamples().has(name),
);
for (const name of unknownBlocks)
  console.warn(`warning: ${EVENTS_DOC} names an example that does not exist: ${name}`);
