/**
 * `npm start` (local/start.ts) in a child process: it prints the URLs it
 * serves, then one readable line per journey step with the onboarding's short
 * id; `--quiet` prints no step lines.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BUILT_IN_USERS_PATH } from '@signupplus/local';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { eventually, requestJson } from '../helpers/http.ts';
import { killLeftovers, start } from '../helpers/npm-start.ts';

afterEach(killLeftovers);

/** One journey as `user` (john by default), through the HTTP API only; resolves with the onboarding id once completed. */
async function johnJourney(api: string, user = 'john') {
  const created = z
    .object({ onboarding_id: z.string(), auth_link: z.string() })
    .parse((await requestJson('POST', `${api}/onboardings`, {})).body);
  const urls = z
    .object({ truelayer_auth: z.string() })
    .parse((await requestJson('GET', `${api}/_local/urls`)).body);
  const authorized = await requestJson('POST', `${urls.truelayer_auth}/_sandbox/authorize`, {
    auth_link: created.auth_link,
    user,
    decision: 'approve',
  });
  const redirectTo = z.object({ redirect_to: z.string() }).parse(authorized.body).redirect_to;
  await fetch(redirectTo, { redirect: 'manual' });
  await eventually(
    async () => requestJson('GET', `${api}/onboardings/${created.onboarding_id}`),
    (response) => z.object({ status: z.literal('completed') }).safeParse(response.body).success,
    { what: 'the journey to complete' },
  );
  return created.onboarding_id;
}

describe('npm start', () => {
  it('prints one line per journey step: time, short onboarding id, kind, step, outcome', async () => {
    // Prepare
    const started = await start();
    expect(started.output()).toMatch(/OpenAPI document +http:\/\/127\.0\.0\.1:\d+\/openapi\.json/);

    // Act
    const id = await johnJourney(started.api);
    const short = id.slice(0, 8);
    const output = await eventually(
      async () => started.output(),
      (text) => new RegExp(`${short} +workflow +execution +succeeded`).test(text),
      { what: 'the last step line' },
    );

    // Assess
    const lines = output.split('\n').filter((line) => line.includes(`  ${short}  `));
    for (const line of lines)
      expect(line).toMatch(/^\d\d:\d\d:\d\d\.\d{3} {2}[0-9a-f]{8} {2}(api|workflow|state|event) +\S/);
    const steps = lines.map((line) => line.replace(/^\S+ +\S+ +/, '').replace(/ +/g, ' '));
    const expected = [
      'api POST /onboardings 201',
      'workflow execution started',
      'api GET /callback 302',
      'event Onboarding Ready For Payment published',
      'state LinkAccounts succeeded',
      'state WhatNext succeeded',
      'state Ended succeeded',
      'workflow execution succeeded',
    ];
    expect(steps.map((step) => step.replace(/ \(event_id [0-9a-f-]{36}\)$/, '')).sort()).toEqual(
      [...expected].sort(),
    );
    // the workflow's own steps in the order it ran them (the callback's answer may land among them)
    const workflowSteps = steps.filter((step) => !step.startsWith('api '));
    expect(workflowSteps.map((step) => step.replace(/ \(event_id [0-9a-f-]{36}\)$/, ''))).toEqual(
      expected.filter((step) => !step.startsWith('api ')),
    );
    expect(steps[0]).toBe('api POST /onboardings 201');
    // no personal data on the terminal
    expect(output).not.toMatch(/John|Doe|12345678|04-00-04/);
    await expect(started.stop()).resolves.toBe(0);
  });

  it('prints no step lines with --quiet', async () => {
    const started = await start(['--quiet']);

    const id = await johnJourney(started.api);
    const code = await started.stop();

    expect(code).toBe(0);
    expect(started.output()).toContain('Integrator API');
    expect(started.output()).not.toContain(id.slice(0, 8));
    expect(started.output()).not.toMatch(/^\d\d:\d\d:\d\d\.\d{3} /m);
  });

  it('replaces the sandbox users with the file SANDBOX_USERS names', async () => {
    // Prepare: the built-in john, renamed, is the only user
    const builtIn = z
      .object({ users: z.array(z.object({ username: z.string() }).loose()) })
      .parse(JSON.parse(await readFile(BUILT_IN_USERS_PATH, 'utf8')));
    const john = builtIn.users.find((user) => user.username === 'john');
    const directory = await mkdtemp(join(tmpdir(), 'sandbox-users-'));
    const file = join(directory, 'users.json');
    await writeFile(file, JSON.stringify({ users: [{ ...john, username: 'alice' }] }));

    // Act
    const started = await start(['--quiet'], { SANDBOX_USERS: file });
    const id = await johnJourney(started.api, 'alice');

    // Assess
    expect(started.output()).toMatch(/Sandbox users: alice\n/);
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    await expect(started.stop()).resolves.toBe(0);
    await rm(directory, { recursive: true });
  });
});
