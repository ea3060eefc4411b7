import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { TRANSIENT_AWS_ERROR } from '../../functions/commons/aws-errors.ts';
import { STATE_MACHINE_DEFINITION, WORKFLOW_TASKS, WORKFLOWS } from '../../functions/contract/manifest.ts';
import { WorkflowErrorNames } from '../../functions/contract/workflow-errors.ts';
import { SETTLEMENT_DEADLINE_SECONDS } from '../../functions/onboarding/workflow/check-payment.ts';
import { TrueLayerErrorNames } from '../../functions/truelayer/errors.ts';

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
          IntervalSeconds: z.number().optional(),
          BackoffRate: z.number().optional(),
          MaxAttempts: z.number().optional(),
          JitterStrategy: z.string().optional(),
          MaxDelaySeconds: z.number().optional(),
        }),
      )
      .optional(),
    Catch: z.array(z.object({ ErrorEquals: z.array(z.string()), Next: z.string() })).optional(),
    Choices: z.array(z.object({ Next: z.string() }).loose()).optional(),
    Default: z.string().optional(),
  })
  .loose();
const definitionSchema = z.object({
  StartAt: z.string(),
  TimeoutSeconds: z.number(),
  States: z.record(z.string(), stateSchema),
});
const definition = definitionSchema.parse(JSON.parse(text));
const states = Object.entries(definition.States);
const tasks = states.filter(([, state]) => state.Type === 'Task');
const callsTrueLayer = ['LinkAccounts', 'CompleteWithChosenAccount'];

const TRANSIENT_AWS = [
  TRANSIENT_AWS_ERROR,
  'Lambda.ServiceException',
  'Lambda.TooManyRequestsException',
  'Lambda.Unknown',
];
const ENDS = ['FailOnboarding', 'ExpireOnboarding'];

/** The longest and the expected total pause of a Retry rule (FULL jitter: uniform in 0..capped delay). */
function retryBudget(rule: {
  IntervalSeconds?: number;
  BackoffRate?: number;
  MaxAttempts?: number;
  MaxDelaySeconds?: number;
}) {
  const caps = Array.from({ length: rule.MaxAttempts ?? 3 }, (_, attempt) =>
    Math.min(
      rule.MaxDelaySeconds ?? Number.POSITIVE_INFINITY,
      (rule.IntervalSeconds ?? 1) * (rule.BackoffRate ?? 2) ** attempt,
    ),
  );
  const worst = caps.reduce((sum, cap) => sum + cap, 0);
  return { worst, expected: worst / 2 };
}

describe('statemachines/onboarding.asl.json', () => {
  it('matches exactly the error names the contract declares, besides those the services raise', () => {
    const matched = new Set(
      states.flatMap(([, state]) =>
        [...(state.Retry ?? []), ...(state.Catch ?? [])].flatMap((rule) => rule.ErrorEquals),
      ),
    );
    const ours = [...matched].filter((name) => !/^(States|Lambda|Sandbox)\./.test(name));
    expect(ours.sort()).toEqual(Object.values(WorkflowErrorNames).sort());
  });

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
    }
  });

  it('retries every AWS and Lambda hiccup on every task, for minutes, with full jitter', () => {
    for (const [name, state] of tasks) {
      const retry = state.Retry ?? [];
      expect(
        retry.flatMap((rule) => rule.ErrorEquals),
        name,
      ).toEqual(expect.arrayContaining(TRANSIENT_AWS));
      for (const rule of retry) {
        expect(rule.JitterStrategy, name).toBe('FULL');
        const budget = retryBudget(rule);
        // Rides out a few minutes' outage (expected ~3 minutes) but ends well within a code's 10-minute life.
        expect(budget.worst, name).toBeGreaterThanOrEqual(300);
        expect(budget.worst, name).toBeLessThanOrEqual(600);
        expect(budget.expected, name).toBeGreaterThanOrEqual(150);
      }
    }
  });

  it('catches every failure of every task: steps end in FailOnboarding, the ends in a Fail the reconciler follows up', () => {
    for (const [name, state] of tasks) {
      const catchAll = state.Catch?.find((rule) => rule.ErrorEquals.includes('States.ALL'));
      expect(catchAll?.Next, name).toBe(ENDS.includes(name) ? 'EndNotRecorded' : 'FailOnboarding');
      expect(state.TimeoutSeconds ?? state.TimeoutSecondsPath, name).toBeDefined();
    }
    expect(definition.TimeoutSeconds).toBeGreaterThanOrEqual(3300 + 3 * 600);
  });

  it('never lets a missing path fail the run uncaught: the Choice checks presence and falls back', () => {
    const choice = definition.States.WhatNext;
    expect(choice?.Type).toBe('Choice');
    for (const rule of choice?.Choices ?? []) {
      expect(JSON.stringify(rule)).toContain('"IsPresent":true');
    }
    expect(choice?.Default).toBe('UnexpectedResult');
    expect(definition.States.UnexpectedResult?.Next).toBe('FailOnboarding');
  });

  it('waits for the account choice until the time LinkAccounts gives, then expires; a choice made meanwhile goes on', () => {
    const wait = definition.States.WaitForAccountChoice;
    expect(wait?.Resource).toBe('arn:aws:states:::lambda:invoke.waitForTaskToken');
    expect(wait?.TimeoutSecondsPath).toBe('$.link.wait_seconds');
    expect(wait?.Catch?.map((rule) => [rule.ErrorEquals, rule.Next])).toEqual([
      [['States.Timeout'], 'ExpireOnboarding'],
      [[WorkflowErrorNames.accountAlreadyChosen], 'CompleteWithChosenAccount'],
      [[WorkflowErrorNames.journeyEnded], 'Ended'],
      [['States.ALL'], 'FailOnboarding'],
    ]);
  });

  it('takes 3 states for a single account and 5 for several', () => {
    const walk = (next: 'end' | 'choose') => {
      const visited: string[] = [];
      let current: string | undefined = definition.StartAt;
      while (current) {
        visited.push(current);
        const state: z.infer<typeof stateSchema> | undefined = definition.States[current];
        if (!state) break;
        current =
          state.Type === 'Choice'
            ? state.Choices?.find((rule) => JSON.stringify(rule).includes(`"StringEquals":"${next}"`))?.Next
            : state.Next;
      }
      return visited;
    };
    expect(walk('end')).toEqual(['LinkAccounts', 'WhatNext', 'Ended']);
    expect(walk('choose')).toEqual([
      'LinkAccounts',
      'WhatNext',
      'WaitForAccountChoice',
      'CompleteWithChosenAccount',
      'Ended',
    ]);
  });

  it('never names a secret or a choice in state data paths', () => {
    expect(text).not.toMatch(
      /access_token|authorization_code|client_secret|code_verifier|account_id|"code\.\$"/,
    );
  });
});

describe('statemachines/payment-onboarding.asl.json', () => {
  const paymentText = readFileSync(new URL(`../../${WORKFLOWS.payment.definition}`, import.meta.url), 'utf8');
  const payment = definitionSchema.parse(JSON.parse(paymentText));
  const check = payment.States.CheckPayment;

  it('uses exactly the placeholders the manifest provides, and only error names the contract declares', () => {
    const placeholders = new Set([...paymentText.matchAll(/\$\{(\w+)\}/g)].map((match) => match[1]));
    expect([...placeholders].sort()).toEqual(Object.keys(WORKFLOWS.payment.tasks).sort());
    const matched = Object.values(payment.States).flatMap((state) =>
      [...(state.Retry ?? []), ...(state.Catch ?? [])].flatMap((rule) => rule.ErrorEquals),
    );
    const ours = matched.filter((name) => !/^(States|Lambda|Sandbox)\./.test(name));
    expect(Object.values(WorkflowErrorNames)).toEqual(expect.arrayContaining(ours));
  });

  it('retries TrueLayer outages and AWS hiccups with full jitter, never refusals, and catches the rest', () => {
    const retried = (check?.Retry ?? []).flatMap((rule) => rule.ErrorEquals);
    expect(retried).toEqual(expect.arrayContaining([TrueLayerErrorNames.unavailable, ...TRANSIENT_AWS]));
    expect(retried).not.toContain(TrueLayerErrorNames.rejected);
    expect(retried).not.toContain('States.ALL');
    for (const rule of check?.Retry ?? []) expect(rule.JitterStrategy).toBe('FULL');
    for (const [name, state] of Object.entries(payment.States).filter(([, each]) => each.Type === 'Task')) {
      const catchAll = state.Catch?.find((rule) => rule.ErrorEquals.includes('States.ALL'));
      expect(catchAll?.Next, name).toBe(name === 'FailOnboarding' ? 'EndNotRecorded' : 'FailOnboarding');
      expect(state.TimeoutSeconds, name).toBeDefined();
    }
  });

  it('looks at the payment again after the wait CheckPayment gives, until it says the journey ended', () => {
    const choice = payment.States.WhatNext;
    for (const rule of choice?.Choices ?? []) expect(JSON.stringify(rule)).toContain('"IsPresent":true');
    expect(choice?.Default).toBe('UnexpectedResult');
    expect(payment.States.WaitForPayment).toMatchObject({
      Type: 'Wait',
      SecondsPath: '$.check.wait_seconds',
      Next: 'CheckPayment',
    });
    expect(payment.StartAt).toBe('CheckPayment');
  });

  it('outlives the longest journey: the link, then the settlement deadline, with retries to spare', () => {
    // AUTH_LINK_TTL_SECONDS is at most a day in practice; the default is 600 s.
    expect(payment.TimeoutSeconds).toBeGreaterThanOrEqual(600 + SETTLEMENT_DEADLINE_SECONDS + 2 * 600);
  });

  it('never names a secret or the payer in state data paths', () => {
    expect(paymentText).not.toMatch(/resource_token|access_token|client_secret|private_key|"user"/);
  });
});
