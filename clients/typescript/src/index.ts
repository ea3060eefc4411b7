/**
 * `@signupplus/client`: the integrator API of the Signup+ onboarding product, from your backend.
 * Every request is signed with SigV4 (service `execute-api`) by the AWS SDK's own signer, with
 * credentials from the SDK's default provider chain unless you pass some; every answer is parsed
 * with the product's own schemas (functions/contract/responses.ts), so a drift
 * between this client and the API fails loudly instead of returning a wrong shape.
 */
import { Sha256 } from '@aws-crypto/sha256-js';
import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { z } from 'zod';
import {
  accountChoiceRequiredDetailSchema,
  DetailTypes,
  EVENT_SOURCE,
  expiredDetailSchema,
  failedDetailSchema,
  readyForPaymentDetailSchema,
} from '../../../functions/contract/onboarding-events.ts';
import type { ConnectionRequest, CreateOnboardingRequest } from '../../../functions/contract/requests.ts';
import {
  accountChoiceAcceptedSchema,
  connectionViewSchema,
  createdConnectionSchema,
  createdOnboardingSchema,
  onboardingViewSchema,
  problemSchema,
} from '../../../functions/contract/responses.ts';

export type CreatedOnboarding = z.infer<typeof createdOnboardingSchema>;
export type Onboarding = z.infer<typeof onboardingViewSchema>;
export type OnboardingStatus = Onboarding['status'];
export type AccountChoiceAccepted = z.infer<typeof accountChoiceAcceptedSchema>;
export type CreatedConnection = z.infer<typeof createdConnectionSchema>;
export type Connection = z.infer<typeof connectionViewSchema>;
export type Problem = z.infer<typeof problemSchema>;
export type { ConnectionRequest, CreateOnboardingRequest };

/** The statuses a journey ends in; it never leaves them. */
export const TERMINAL_STATUSES: readonly OnboardingStatus[] = ['completed', 'failed', 'expired'];

export interface SignupPlusClientOptions {
  /** The API's base URL: the stack's `ApiUrl` output, or `http://127.0.0.1:3000` locally. */
  baseUrl: string;
  /** The API's region; default `AWS_REGION`. */
  region?: string;
  /** Default: the AWS SDK's provider chain (environment, SSO, profiles, container and instance roles). */
  credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  /** Per-request timeout; default 10 s. */
  timeoutMs?: number;
  /** For tests and proxies; default the global fetch. */
  fetch?: typeof fetch;
}

/** An answer of the product itself: application/problem+json, with `detail` written for you. */
export class SignupPlusProblemError extends Error {
  override readonly name = 'SignupPlusProblemError';
  readonly status: number;
  readonly problem: Problem;
  constructor(problem: Problem) {
    super(`${problem.status} ${problem.title}: ${problem.detail}`);
    this.status = problem.status;
    this.problem = problem;
  }
}

/**
 * An answer of API Gateway in front of the product, never of the product: `{"message": ...}` bodies
 * such as 403 `Forbidden` (unsigned, wrong signature, no `execute-api:Invoke`) and 429
 * `Too Many Requests` (throttled: retry with backoff).
 */
export class SignupPlusGatewayError extends Error {
  override readonly name = 'SignupPlusGatewayError';
  readonly status: number;
  readonly gatewayMessage: string;
  /** Seconds, when the answer carried `Retry-After`. */
  readonly retryAfterSeconds: number | undefined;
  constructor(status: number, gatewayMessage: string, retryAfterSeconds: number | undefined) {
    super(`API Gateway answered ${status}: ${gatewayMessage}`);
    this.status = status;
    this.gatewayMessage = gatewayMessage;
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** The answer was not what the contract says (a proxy in the way, or a version drift). */
export class SignupPlusContractError extends Error {
  override readonly name = 'SignupPlusContractError';
}

const gatewayBodySchema = z.object({ message: z.string() });

export interface WaitOptions {
  /** Stop at these statuses; default `awaiting_account_choice` and the terminal ones. */
  until?: readonly OnboardingStatus[];
  /** Give up after this long; default 15 minutes (the default account-choice wait). */
  timeoutMs?: number;
  /** Between polls; default 1 s. */
  intervalMs?: number;
  signal?: AbortSignal;
}

export class SignupPlusClient {
  readonly #baseUrl: URL;
  readonly #signer: SignatureV4;
  readonly #timeoutMs: number;
  readonly #fetch: typeof fetch;

  constructor(options: SignupPlusClientOptions) {
    const region = options.region ?? process.env.AWS_REGION;
    if (!region) throw new Error('SignupPlusClient needs a region: pass `region` or set AWS_REGION.');
    this.#baseUrl = new URL(options.baseUrl.endsWith('/') ? options.baseUrl : `${options.baseUrl}/`);
    this.#signer = new SignatureV4({
      service: 'execute-api',
      region,
      credentials: options.credentials ?? fromNodeProviderChain(),
      sha256: Sha256,
    });
    this.#timeoutMs = options.timeoutMs ?? 10_000;
    this.#fetch = options.fetch ?? fetch;
  }

  /** `POST /onboardings`: an auth link to send the user to. `{}` uses the deployment's defaults. */
  createOnboarding(request: CreateOnboardingRequest = {}): Promise<CreatedOnboarding> {
    return this.#call(createdOnboardingSchema, 'POST', 'onboardings', request);
  }

  /** `GET /onboardings/{id}`: the status, the accounts while a choice is awaited, the user and account once completed. */
  getOnboarding(onboardingId: string): Promise<Onboarding> {
    return this.#call(onboardingViewSchema, 'GET', `onboardings/${encodeURIComponent(onboardingId)}`);
  }

  /** `POST /onboardings/{id}/account-choice`: one of `accounts[].account_id`; the journey resumes. */
  chooseAccount(onboardingId: string, accountId: string): Promise<AccountChoiceAccepted> {
    return this.#call(
      accountChoiceAcceptedSchema,
      'POST',
      `onboardings/${encodeURIComponent(onboardingId)}/account-choice`,
      { account_id: accountId },
    );
  }

  /** `POST /connections`: a Data API v3 connection and where to send the user. */
  createConnection(request: ConnectionRequest): Promise<CreatedConnection> {
    return this.#call(createdConnectionSchema, 'POST', 'connections', request);
  }

  /** `GET /connections/{id}`. */
  getConnection(connectionId: string): Promise<Connection> {
    return this.#call(connectionViewSchema, 'GET', `connections/${encodeURIComponent(connectionId)}`);
  }

  /**
   * Polls `GET /onboardings/{id}` until the journey needs you (an account choice) or has ended.
   * Events are the better way on AWS (see `parseOnboardingEvent`); polling suits a return page.
   */
  async waitForOnboarding(onboardingId: string, options: WaitOptions = {}): Promise<Onboarding> {
    const until = options.until ?? ['awaiting_account_choice', ...TERMINAL_STATUSES];
    const deadline = Date.now() + (options.timeoutMs ?? 15 * 60_000);
    for (;;) {
      options.signal?.throwIfAborted();
      const onboarding = await this.getOnboarding(onboardingId);
      if (until.includes(onboarding.status)) return onboarding;
      if (Date.now() >= deadline) {
        throw new Error(`Onboarding ${onboardingId} is still ${onboarding.status} after the wait.`);
      }
      await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 1_000));
    }
  }

  async #call<S extends z.core.$ZodType>(
    schema: S,
    method: string,
    path: string,
    body?: unknown,
  ): Promise<z.infer<S>> {
    const url = new URL(path, this.#baseUrl);
    const text = body === undefined ? undefined : JSON.stringify(body);
    const headers: Record<string, string> = {
      host: url.host,
      accept: 'application/json',
      ...(text === undefined ? {} : { 'content-type': 'application/json' }),
    };
    const signed = await this.#signer.sign({
      method,
      protocol: url.protocol,
      hostname: url.hostname,
      ...(url.port ? { port: Number(url.port) } : {}),
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers,
      ...(text === undefined ? {} : { body: text }),
    });
    // fetch sets Host itself, to the same value that was signed.
    const { host: _host, ...sent } = signed.headers;
    const response = await this.#fetch(url, {
      method,
      headers: sent,
      ...(text === undefined ? {} : { body: text }),
      signal: AbortSignal.timeout(this.#timeoutMs),
    });
    const answer = await response.text();
    let json: unknown;
    try {
      json = answer === '' ? undefined : JSON.parse(answer);
    } catch {
      throw new SignupPlusContractError(`${method} /${path} answered ${response.status} without JSON.`);
    }
    if (!response.ok) {
      const problem = problemSchema.safeParse(json);
      if (problem.success) throw new SignupPlusProblemError(problem.data);
      const gateway = gatewayBodySchema.safeParse(json);
      if (gateway.success) {
        const retryAfter = Number(response.headers.get('retry-after') ?? Number.NaN);
        throw new SignupPlusGatewayError(
          response.status,
          gateway.data.message,
          Number.isFinite(retryAfter) ? retryAfter : undefined,
        );
      }
      throw new SignupPlusContractError(
        `${method} /${path} answered ${response.status}: ${answer.slice(0, 200)}`,
      );
    }
    const parsed = z.safeParse(schema, json);
    if (!parsed.success) {
      throw new SignupPlusContractError(
        `${method} /${path} answered in a shape the contract does not have: ${z.prettifyError(parsed.error)}`,
      );
    }
    return parsed.data;
  }
}

const eventSchema = z.object({
  source: z.literal(EVENT_SOURCE),
  'detail-type': z.string(),
  detail: z.unknown(),
});

type Detail<S extends z.core.$ZodType> = z.infer<S>;

/** An onboarding event as EventBridge delivers it, its detail parsed with the product's own schema. */
export type OnboardingEvent =
  | { detailType: typeof DetailTypes.readyForPayment; detail: Detail<typeof readyForPaymentDetailSchema> }
  | {
      detailType: typeof DetailTypes.accountChoiceRequired;
      detail: Detail<typeof accountChoiceRequiredDetailSchema>;
    }
  | { detailType: typeof DetailTypes.failed; detail: Detail<typeof failedDetailSchema> }
  | { detailType: typeof DetailTypes.expired; detail: Detail<typeof expiredDetailSchema> };

/**
 * Reads an event from the product's bus (an EventBridge target's input): `undefined` for any other
 * source or detail type, a thrown error for one of ours that breaks its schema. Deduplicate on
 * `detail.event_id`: EventBridge delivers at least once.
 */
export function parseOnboardingEvent(event: unknown): OnboardingEvent | undefined {
  const envelope = eventSchema.safeParse(event);
  if (!envelope.success) return undefined;
  const { 'detail-type': detailType, detail } = envelope.data;
  switch (detailType) {
    case DetailTypes.readyForPayment:
      return { detailType, detail: readyForPaymentDetailSchema.parse(detail) };
    case DetailTypes.accountChoiceRequired:
      return { detailType, detail: accountChoiceRequiredDetailSchema.parse(detail) };
    case DetailTypes.failed:
      return { detailType, detail: failedDetailSchema.parse(detail) };
    case DetailTypes.expired:
      return { detailType, detail: expiredDetailSchema.parse(detail) };
    default:
      return undefined;
  }
}
