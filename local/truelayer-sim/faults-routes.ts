import { FaultRulesBodySchema } from './faults.ts';
import { jsonResponse, mediaType, readJsonBody } from './http-io.ts';
import { issuesToErrors, problemResponse } from './problems.ts';
import type { RouteDefinition } from './router.ts';

const PATH = '/_sandbox/faults';

/** `GET /_sandbox/faults`: the rules in force. */
const listFaults: RouteDefinition = {
  method: 'GET',
  path: PATH,
  name: 'faults',
  faultable: false,
  handle: (ctx) => jsonResponse(200, { rules: ctx.sim.faults.list() }),
};

/** `PUT /_sandbox/faults`: replaces the rules with `{ rules: [...] }`. */
const setFaults: RouteDefinition = {
  method: 'PUT',
  path: PATH,
  name: 'faults',
  faultable: false,
  async handle(ctx) {
    const body = mediaType(ctx.req) === 'application/json' ? await readJsonBody(ctx.req) : undefined;
    const parsed = FaultRulesBodySchema.safeParse(body);
    if (!parsed.success) {
      const errors = issuesToErrors(parsed.error.issues);
      return problemResponse(ctx.traceId, {
        status: 400,
        title: 'Invalid Parameters',
        detail: 'Send application/json {"rules": [...]} with valid fault rules.',
        errors,
      });
    }
    ctx.sim.faults.set(parsed.data.rules);
    return jsonResponse(200, { rules: ctx.sim.faults.list() });
  },
};

/** `DELETE /_sandbox/faults`: removes every rule. */
const clearFaults: RouteDefinition = {
  method: 'DELETE',
  path: PATH,
  name: 'faults',
  faultable: false,
  handle(ctx) {
    ctx.sim.faults.clear();
    return { status: 204 };
  },
};

/** Fault control routes, mounted on both hosts (they share one controller). */
export const faultRoutes: readonly RouteDefinition[] = [listFaults, setFaults, clearFaults];
