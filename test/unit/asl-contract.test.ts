import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { TrueLayerErrorNames } from '../../functions/truelayer/errors.ts';
import { STATE_MACHINE_DEFINITION, WORKFLOW_TASKS } from '../../infra/manifest.ts';

const text = readFileSync(new URL(`../../${STATE_MACHINE_DEFINITION}`, import.meta.url), 'utf8');
const stateSchema = z
  .object({
    Type: z.string(),
    Next: z.string().optional(),
    End: z.boolean().optional(),
    Resource: z.string().optional(),
    TimeoutSeconds: z.number().optional(),
    TimeoutSecondsPath: z.string().optional(),
    Retry: z
      .array(
        z.object({
          ErrorEquals: z.array(z.string()),
          JitterStrategy: z.string().optional(),
          MaxDelaySeconds: z.number().optional(),
        }),
      )
      .optional(),
    Catch: z.array(z.object({ ErrorEquals: z.array(z.string()), Next: z.string() })).optional(),
    Choices: z.array(z.object({ Next: z.string() })).optional(),
    Default: z.string().optional(),
  })
  .loose();
const definition = z
  .object({ StartAt: z.string(), States: z.record(z.string(), stateSchema) })
  .parse(JSON.parse(text));
const states = Object.entries(definition.States);
const tasks = states.filter(([, state]) => state.Type === 'Task');
const callsTrueLayer = ['LinkAccounts', 'CompleteWithChosenAccount'];

describe('statemachines/onboarding.asl.json', () => {
  it('uses exactly the placeholders the manifest provides', () => {
    const placeholders = new Set([...text.matchAll(/\$\{(\w+)\}/g)].map((match) => match[1]));
    expect([...placeholders].sort()).toEqual(Object.keys(WORKFLOW_TASKS).sort());
  });

  it('retries TrueLayer outages, with capped backoff and full jitter, and never refusals', () => {
    for (const name of callsTrueLayer) {
      const retry = definition.States[name]?.Retry ?? [];
      const retried = retry.flatMap((rule) => rule.ErrorEquals);
      expect(retried, name).toContain(TrueLayerErrorNames.unavailable);
      expect(retried, name).not.toContain(TrueLayerErrorNames.rejected);
      expect(retried, name).not.toContain(TrueLayerErrorNames.contract);
      expect(retried, name).not.toContain('States.ALL');
      for (const rule of retry) {
        expect(rule.JitterStrategy).toBe('FULL');
        expect(rule.MaxDelaySeconds).toBeGreaterThan(0);
      }
    }
  });

  it('ends every failing step in FailOnboarding, so no journey stalls silently', () => {
    for (const [name, state] of tasks) {
      if (name === 'FailOnboarding' || name === 'ExpireOnboarding') continue;
      const catchAll = state.Catch?.find((rule) => rule.ErrorEquals.includes('States.ALL'));
      expect(catchAll?.Next, name).toBe('FailOnboarding');
      expect(state.TimeoutSeconds ?? state.TimeoutSecondsPath, name).toBeDefined();
    }
  });

  it('waits for the account choice with a timeout that leads to ExpireOnboarding', () => {
    const wait = definition.States.WaitForAccountChoice;
    expect(wait?.Resource).toBe('arn:aws:states:::lambda:invoke.waitForTaskToken');
    expect(wait?.TimeoutSecondsPath).toBe('$.account_choice_timeout_seconds');
    expect(wait?.Catch?.[0]).toEqual({ ErrorEquals: ['States.Timeout'], Next: 'ExpireOnboarding' });
  });

  it('keeps the single-account path within 6 states and the multi-account path within 10', () => {
    const walk = (choice: 'single' | 'multiple') => {
      const visited: string[] = [];
      let current: string | undefined = definition.StartAt;
      while (current) {
        visited.push(current);
        const state: z.infer<typeof stateSchema> | undefined = definition.States[current];
        if (!state) break;
        current =
          state.Type === 'Choice'
            ? choice === 'multiple'
              ? state.Choices?.[0]?.Next
              : state.Default
            : state.Next;
      }
      return visited;
    };
    expect(walk('single')).toEqual(['LinkAccounts', 'HowManyAccounts', 'ReadyForPayment']);
    expect(walk('multiple')).toEqual([
      'LinkAccounts',
      'HowManyAccounts',
      'WaitForAccountChoice',
      'CompleteWithChosenAccount',
      'ReadyForPayment',
    ]);
  });

  it('never names a secret in state data paths', () => {
    expect(text).not.toMatch(/access_token|authorization_code|client_secret|"code\.\$"/);
  });
});
