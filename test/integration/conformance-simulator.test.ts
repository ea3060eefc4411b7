/**
 * `npm run conformance` end to end against the simulator, in Chromium, with
 * switches that are not the defaults: the run must find each of them (that is
 * what it tells an integrator about the real sandbox), write redacted
 * fixtures, and exit 0. The sandbox mode is the same code behind other hosts.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';

const out = mkdtempSync(join(tmpdir(), 'signupplus-conformance-'));

afterAll(() => {
  rmSync(out, { recursive: true, force: true });
});

const summarySchema = z.object({
  truelayer: z.string(),
  steps: z.array(z.object({ name: z.string(), ok: z.boolean(), detail: z.string() })),
  findings: z.array(z.object({ point: z.string(), found: z.string(), switch: z.string().optional() })),
  suggested_switches: z.string(),
});

describe('npm run conformance, against the simulator', () => {
  it('walks the dialogs, makes every call, finds each undocumented behaviour and writes redacted fixtures', async () => {
    const switches =
      'multiple_accounts_status=409,gzip=true,absent_fields=null,return_connection_id=false,data_connection_endpoint=absent,' +
      'signup_plus_request_shape=flat,signup_plus_request_status_words=alternate,signup_plus_request_pending_polls=2';

    const run = await promisify(execFile)(
      process.execPath,
      ['scripts/conformance.ts', '--truelayer', 'sandbox', '--out', out, '--switches', switches],
      // Without TrueLayer settings the sandbox run falls back to the simulator, as CI runs it.
      {
        encoding: 'utf8',
        timeout: 120_000,
        env: {
          ...process.env,
          TRUELAYER_CLIENT_ID: '',
          TRUELAYER_CLIENT_SECRET: '',
          TRUELAYER_REDIRECT_URI: '',
        },
      },
    );

    expect(run.stdout).toContain('running against the simulator');
    const summary = summarySchema.parse(JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')));
    expect(summary.steps.filter((step) => !step.ok)).toEqual([]);
    expect(summary.steps.map((step) => step.name)).toEqual(
      expect.arrayContaining([
        'auth dialog',
        'code exchange',
        'GET /signup-plus/accounts',
        'GET /signup-plus/accounts?account_id',
        'POST /v3/data-connections',
        'hosted page and return',
        'learn the outcome',
        'Signup+ request on a connected account',
      ]),
    );
    expect(summary.steps.find((step) => step.name === 'learn the outcome')?.detail).toBe(
      'authorized (from connected_accounts)',
    );
    for (const expected of switches.split(','))
      expect(summary.suggested_switches.split(',')).toContain(expected);

    const files = readdirSync(out).filter((name) => name.endsWith('.json'));
    expect(files.length).toBeGreaterThan(8);
    // Nor any id in the fixtures' names (a path's connection, account or request id).
    expect(files.join(' ')).not.toMatch(/acc-[0-9a-f]{8,}|[0-9a-f]{8}-[0-9a-f]{4}-/);
    expect(
      files.filter((name) =>
        name.endsWith('-get-v3-connections-id-accounts-id-signup-plus-requests-id.json'),
      ),
    ).not.toEqual([]);
    const text = files.map((name) => readFileSync(join(out, name), 'utf8')).join('\n');
    // No person, token, code or account id of the simulator's jane left in the fixtures.
    expect(text).not.toMatch(/Jane|Roe|Angels Court|SK3 9LQ|30000000|acc-[0-9a-f]{8,}|Bearer /);
    expect(text).toContain('"access_token": "<redacted access token>"');
  }, 150_000);
});
