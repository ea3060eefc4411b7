import { z } from 'zod';
import { type RandomSource, randomSeed, seededRandom } from './rng.ts';

/** What an injected fault does to one call. */
export const FaultSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('latency'), ms: z.int().min(0).max(600_000) }),
  z.strictObject({
    kind: z.literal('status'),
    status: z.union([z.literal(429), z.literal(500), z.literal(502), z.literal(503), z.literal(504)]),
    retryAfterSeconds: z.int().min(0).optional(),
    /** The problem's title instead of the status's usual one, e.g. `Feature Not Supported` with 502. */
    title: z.string().min(1).optional(),
  }),
  z.strictObject({ kind: z.literal('drop') }),
  /** The call is carried out (a code is spent, a token issued), then the connection is reset unanswered. */
  z.strictObject({ kind: z.literal('lost_answer') }),
  z.strictObject({ kind: z.literal('timeout') }),
  z.strictObject({ kind: z.literal('malformed') }),
  z.strictObject({ kind: z.literal('schema') }),
]);

/** One fault rule: which endpoint, what fault, and when it applies (at most one trigger; none = every call). */
export const FaultRuleSchema = z
  .strictObject({
    /** Endpoint name (`token`, `accounts`, an extra route's name) or `*` for all of them. */
    endpoint: z.string().min(1),
    fault: FaultSchema,
    /** Probability per call, drawn from the simulator's seeded random source. */
    rate: z.number().min(0).max(1).optional(),
    /** Call i (counted per rule from when it was set) faults iff `sequence[i]`; later calls pass. */
    sequence: z.array(z.boolean()).optional(),
    /** The next N calls fault, then the rule is spent. */
    times: z.int().min(0).optional(),
  })
  .refine(
    (rule) => [rule.rate, rule.sequence, rule.times].filter((trigger) => trigger !== undefined).length <= 1,
    { message: 'give at most one of rate, sequence and times' },
  );

/** Body of `PUT /_sandbox/faults`. */
export const FaultRulesBodySchema = z.strictObject({ rules: z.array(FaultRuleSchema) });

export type Fault = z.infer<typeof FaultSchema>;
export type FaultRule = z.infer<typeof FaultRuleSchema>;
/** Faults that replace the answer (everything but latency). */
export type TerminalFault = Exclude<Fault, { kind: 'latency' }>;

/** Programmatic fault control, shared by both hosts. */
export interface FaultController {
  /** Replaces all rules; counters and the seeded random stream restart. */
  set(rules: FaultRule[]): void;
  /** Removes all rules. */
  clear(): void;
  /** The rules in force, as given. */
  list(): FaultRule[];
}

/** What the server should do with one call. */
export interface FaultDecision {
  /** Extra delay before answering, summed over every firing latency rule. */
  delayMs: number;
  /** The first firing non-latency fault in rule order, if any. */
  fault?: TerminalFault;
}

interface RuleState {
  rule: FaultRule;
  calls: number;
  remaining: number | undefined;
}

/** Holds the rules and decides, call by call, which fault applies. */
export class FaultEngine implements FaultController {
  #states: RuleState[] = [];
  #random: RandomSource;
  readonly #seed: number;

  /** @param seed - seeds the random source for `rate` rules; random when absent. */
  constructor(seed?: number) {
    this.#seed = seed ?? randomSeed();
    this.#random = seededRandom(this.#seed);
  }

  set(rules: FaultRule[]): void {
    // Validate here too: programmatic callers bypass the HTTP schema check.
    const parsed = z.array(FaultRuleSchema).parse(rules);
    this.#states = parsed.map((rule) => ({ rule, calls: 0, remaining: rule.times }));
    // Restarting the stream makes "same seed + same rules + same calls" give the same faults.
    this.#random = seededRandom(this.#seed);
  }

  clear(): void {
    this.#states = [];
  }

  list(): FaultRule[] {
    return this.#states.map((state) => structuredClone(state.rule));
  }

  /**
   * Evaluates every rule matching `endpoint` (so each rule's counters advance on every call to it)
   * and combines the firing ones: latencies add up, the first other fault wins.
   */
  decide(endpoint: string): FaultDecision {
    let delayMs = 0;
    let fault: TerminalFault | undefined;
    for (const state of this.#states) {
      if (state.rule.endpoint !== '*' && state.rule.endpoint !== endpoint) continue;
      if (!this.#fires(state)) continue;
      const candidate = state.rule.fault;
      if (candidate.kind === 'latency') delayMs += candidate.ms;
      else fault ??= candidate;
    }
    return fault === undefined ? { delayMs } : { delayMs, fault };
  }

  #fires(state: RuleState): boolean {
    const { rule } = state;
    const index = state.calls;
    state.calls += 1;
    if (rule.sequence !== undefined) return rule.sequence[index] ?? false;
    if (state.remaining !== undefined) {
      if (state.remaining <= 0) return false;
      state.remaining -= 1;
      return true;
    }
    if (rule.rate !== undefined) return this.#random() < rule.rate;
    return true;
  }
}
