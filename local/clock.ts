import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { withGlobal } from '@sinonjs/fake-timers';
import { z } from 'zod';

/** How often a controlled clock catches up with the system clock between advances. */
const FOLLOW_INTERVAL_MS = 10;

/** Cancels a timer armed on a {@link LocalClock} (nothing happens once it has run). */
export type CancelTimer = () => void;

/**
 * The time the local stack runs on. Everything in the process reads it through
 * `Date`, so the product keeps its plain `new Date()`; the harness's own timers
 * (the schedule, Step Functions Task timeouts) are armed here.
 */
export interface LocalClock {
  /** `real`: the system clock. `controlled`: the system clock plus what `advance` added. */
  readonly kind: 'real' | 'controlled';
  /** Epoch milliseconds, as `Date.now()` says in this process. */
  now(): number;
  /** Runs `callback` once, `ms` from now on this clock. */
  setTimeout(callback: () => void, ms: number): CancelTimer;
  /**
   * Moves time on by `seconds` at once: `Date` jumps, and every timer that
   * became due runs, in order. Only a controlled clock can; a real one throws.
   */
  advance(seconds: number): void;
  /** Gives `Date` back to the system (a controlled clock); idempotent. */
  uninstall(): void;
}

/** The system clock; timers are Node's own. */
export function realClock(): LocalClock {
  return {
    kind: 'real',
    now: () => Date.now(),
    setTimeout(callback, ms) {
      const timer = setTimeout(callback, ms).unref();
      return () => clearTimeout(timer);
    },
    advance() {
      throw new Error('The real clock cannot be advanced; start the stack with { clock: "controlled" }.');
    },
    uninstall() {},
  };
}

/**
 * A clock that runs with the system clock and can be moved forward. It fakes
 * `Date` only (@sinonjs/fake-timers): Node's timers stay real, so sockets, SDK
 * timeouts and retries work as usual. A real interval keeps the fake `Date`
 * in step with the system clock (to {@link FOLLOW_INTERVAL_MS}), measured on
 * the monotonic clock so a busy event loop makes it late, never slow.
 */
export function controlledClock(): LocalClock {
  const installed = withGlobal(globalThis).install({ toFake: ['Date'], now: Date.now() });
  let followed = performance.now();
  const follow = setInterval(() => {
    const at = performance.now();
    installed.tick(at - followed);
    followed = at;
  }, FOLLOW_INTERVAL_MS).unref();
  let uninstalled = false;
  return {
    kind: 'controlled',
    now: () => installed.now,
    setTimeout(callback, ms) {
      const timer = installed.setTimeout(callback, ms);
      return () => installed.clearTimeout(timer);
    },
    advance(seconds) {
      if (!(Number.isFinite(seconds) && seconds >= 0)) throw new Error(`Invalid advance of ${seconds} s`);
      installed.tick(seconds * 1000);
    },
    uninstall() {
      if (uninstalled) return;
      uninstalled = true;
      clearInterval(follow);
      installed.uninstall();
    },
  };
}

const AdvanceSchema = z.strictObject({
  advance_seconds: z
    .number()
    .finite()
    .min(0)
    .max(366 * 86_400),
});
const MAX_BODY_BYTES = 1024;

function answer(response: ServerResponse, status: number, body: unknown, type = 'application/json'): void {
  response.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
  response.end(JSON.stringify(body));
}

/**
 * `/_local/clock` on the API port: `GET` answers `{ kind, now }`; `POST {"advance_seconds": n}` moves a
 * controlled clock on (200 `{ kind, now }`), 400 for a body that is not that, 409 on the real clock.
 */
export async function serveClockApi(clock: LocalClock, request: IncomingMessage, response: ServerResponse) {
  const state = () => ({ kind: clock.kind, now: new Date(clock.now()).toISOString() });
  if (request.method === 'GET') return answer(response, 200, state());
  if (request.method !== 'POST') {
    response.setHeader('allow', 'GET, POST');
    return answer(response, 405, { title: 'Method not allowed' }, 'application/problem+json');
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = chunk instanceof Buffer ? chunk : Buffer.from(String(chunk));
    size += buffer.length;
    if (size > MAX_BODY_BYTES) break;
    chunks.push(buffer);
  }
  let parsed: ReturnType<typeof AdvanceSchema.safeParse> | undefined;
  try {
    parsed =
      size > MAX_BODY_BYTES
        ? undefined
        : AdvanceSchema.safeParse(JSON.parse(Buffer.concat(chunks).toString()));
  } catch {
    parsed = undefined;
  }
  if (!parsed?.success) {
    return answer(
      response,
      400,
      { title: 'Invalid clock request', detail: 'send {"advance_seconds": n}, 0 ≤ n ≤ 31622400' },
      'application/problem+json',
    );
  }
  if (clock.kind !== 'controlled') {
    return answer(
      response,
      409,
      { title: 'The real clock cannot be advanced', detail: 'start with --controlled-clock' },
      'application/problem+json',
    );
  }
  clock.advance(parsed.data.advance_seconds);
  return answer(response, 200, state());
}
