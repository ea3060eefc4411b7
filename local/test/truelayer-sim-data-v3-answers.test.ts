/**
 * The documented Data v3 data endpoints answer in TrueLayer's documented shapes
 * (D:get-all-user-accounts, D:get-user-info), including the user-info rule the
 * product's guesses never met: it answers only within the five minutes after
 * the user authenticated (Strong Customer Authentication), and 403 afterwards.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { EXAMPLES } from '../../test/helpers/connections.ts';
import { dataConnectionRoutes } from '../truelayer-sim/data-v3/index.ts';
import type { TrueLayerSimulator } from '../truelayer-sim/index.ts';
import {
  authorizeConnection,
  dataToken,
  hostedConnection,
  startSim,
} from './fixtures/truelayer-sim/helpers.ts';

let sim: TrueLayerSimulator;
/** The simulator's clock, moved by the tests. */
let clockMs = Date.parse('2026-12-02T10:00:00Z');

beforeAll(async () => {
  const dataV3 = dataConnectionRoutes();
  sim = await startSim({
    now: () => clockMs,
    extraApiRoutes: dataV3.apiRoutes,
    extraAuthRoutes: dataV3.authRoutes,
  });
});

afterAll(async () => {
  await sim.close();
});

const userInfo = (token: string, connectionId: string) =>
  fetch(`${sim.apiUrl}/v3/data-connections/${connectionId}/user-info`, {
    headers: { authorization: `Bearer ${token}` },
  });

async function authorisedInfoConnection() {
  const token = await dataToken(sim);
  const created = await hostedConnection(sim, token, {
    ...EXAMPLES.hosted_flow,
    scopes: ['info'],
    data_access_type: 'one_time',
  });
  await authorizeConnection(sim, created.hosted_page.uri, 'approve');
  return { token, connectionId: created.id };
}

describe('GET /v3/data-connections/{id}/user-info', () => {
  it('answers the holder name within five minutes of the authentication', async () => {
    // Prepare
    const { token, connectionId } = await authorisedInfoConnection();
    clockMs += 4 * 60 * 1000 + 59 * 1000;

    // Act
    const answer = await userInfo(token, connectionId);

    // Assess
    expect(answer.status).toBe(200);
    expect(await answer.json()).toEqual({ name: 'John Doe' });
  });

  it('answers 403 once the five minutes have passed, though the connection stays authorised', async () => {
    // Prepare
    const { token, connectionId } = await authorisedInfoConnection();
    clockMs += 5 * 60 * 1000 + 1000;

    // Act
    const answer = await userInfo(token, connectionId);
    const inspected = await fetch(`${sim.apiUrl}/_sandbox/data-connections/${connectionId}`);

    // Assess
    expect(answer.status).toBe(403);
    expect(await answer.json()).toMatchObject({ title: 'Forbidden', status: 403 });
    expect(z.object({ status: z.string() }).parse(await inspected.json()).status).toBe('authorized');
  });
});
