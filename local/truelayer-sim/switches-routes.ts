import { jsonResponse, mediaType, readJsonBody } from './http-io.ts';
import { issuesToErrors, problemResponse } from './problems.ts';
import type { RouteDefinition } from './router.ts';
import { SwitchesSchema } from './switches.ts';

const PATH = '/_sandbox/switches';
const PartialSwitchesSchema = SwitchesSchema.partial();

/** `GET /_sandbox/switches`: the switches in force. */
const listSwitches: RouteDefinition = {
  method: 'GET',
  path: PATH,
  name: 'switches',
  faultable: false,
  handle: (ctx) => jsonResponse(200, ctx.sim.switches.current),
};

/** `PUT /_sandbox/switches`: changes the switches named in the body, e.g. `{"multiple_accounts_status": 409}`. */
const setSwitches: RouteDefinition = {
  method: 'PUT',
  path: PATH,
  name: 'switches',
  faultable: false,
  async handle(ctx) {
    const body = mediaType(ctx.req) === 'application/json' ? await readJsonBody(ctx.req) : undefined;
    const parsed = PartialSwitchesSchema.safeParse(body);
    if (!parsed.success) {
      return problemResponse(ctx.traceId, {
        status: 400,
        title: 'Invalid Parameters',
        detail: 'Send application/json with the switches to change.',
        errors: issuesToErrors(parsed.error.issues),
      });
    }
    return jsonResponse(200, ctx.sim.switches.set(parsed.data));
  },
};

/** `DELETE /_sandbox/switches`: back to the switches the simulator started with. */
const resetSwitches: RouteDefinition = {
  method: 'DELETE',
  path: PATH,
  name: 'switches',
  faultable: false,
  handle(ctx) {
    ctx.sim.switches.reset();
    return { status: 204 };
  },
};

/** Switch routes, mounted on both hosts (they share one switch board). */
export const switchRoutes: readonly RouteDefinition[] = [listSwitches, setSwitches, resetSwitches];
