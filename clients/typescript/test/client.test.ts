/**
 * `@signupplus/client` against the local stack: signed requests that the local API accepts, the
 * examples' journeys end to end, the product's problems and API Gateway's own answers told apart,
 * and events read with the product's schemas.
 */
import { createServer, type Server } from 'node:http';
import { Sha256 } from '@aws-crypto/sha256-js';
import {
  SignupPlusClient,
  SignupPlusContractError,
  SignupPlusGatewayError,
  SignupPlusProblemError,
} from '@signupplus/client';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalStack, startLocalStack } from '../../../local/stack.ts';
import { eventually } from '../../../test/helpers/http.ts';
import { authorize } from '../../../test/helpers/journey.ts';
import { makeHandler, type ReadyCustomer } from '../examples/consumer.ts';
import { followSignUp, startSignUp } from '../examples/onboard.ts';

const CREDENTIALS = {
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
};
let stack: LocalStack;
const servers: Server[] = [];

beforeAll(async () => {
  stack = await startLocalStack({ logLevel: 'SILENT', retryIntervalMs: 1 });
});

afterAll(async () => {
  for (const server of servers) await new Promise((resolve) => server.close(resolve));
  await stack?.close();
});

/** What the client sent, as a fetch that records and passes on. */
function recordingFetch() {
  const sent: Array<{ url: string; headers: Headers; body: string | undefined }> = [];
  const wrapped: typeof fetch = async (input, init) => {
    sent.push({
      url: String(input),
      headers: new Headers(init?.headers),
      body: typeof init?.body === 'string' ? init.body : undefined,
    });
    return fetch(input, init);
  };
  return { sent, fetch: wrapped };
}

const client = (options: Partial<ConstructorParameters<typeof SignupPlusClient>[0]> = {}) =>
  new SignupPlusClient({
    baseUrl: stack.urls.api,
    region: 'eu-west-2',
    credentials: CREDENTIALS,
    ...options,
  });

/** A stand-in for API Gateway answering with its own body. */
async function gateway(status: number, body: string, headers: Record<string, string> = {}) {
  const server = createServer((_request, response) => {
    response.writeHead(status, { 'content-type': 'application/json', ...headers });
    response.end(body);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
}

describe('@signupplus/client', () => {
  it('signs every request with SigV4 for execute-api, and the local API accepts it', async () => {
    // Prepare
    const recorder = recordingFetch();

    // Act
    const created = await client({ fetch: recorder.fetch }).createOnboarding({ reference: 'client-test' });

    // Assess
    expect(created.status).toBe('awaiting_authorization');
    const [request] = recorder.sent;
    const authorization = request?.headers.get('authorization') ?? '';
    expect(authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-2\/execute-api\/aws4_request, SignedHeaders=[a-z0-9;-]*host[a-z0-9;-]*, Signature=[0-9a-f]{64}$/,
    );
    expect(request?.headers.get('x-amz-date')).toMatch(/^\d{8}T\d{6}Z$/);
    // the signature is the one the SDK's signer computes for this very request
    const url = new URL(request?.url ?? '');
    const expected = await new SignatureV4({
      service: 'execute-api',
      region: 'eu-west-2',
      credentials: CREDENTIALS,
      sha256: Sha256,
    }).sign(
      {
        method: 'POST',
        protocol: url.protocol,
        hostname: url.hostname,
        port: Number(url.port),
        path: url.pathname,
        query: {},
        headers: { host: url.host, accept: 'application/json', 'content-type': 'application/json' },
        body: request?.body ?? '',
      },
      {
        signingDate: new Date(
          request?.headers
            .get('x-amz-date')
            ?.replace(/^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/, '$1-$2-$3T$4:$5:$6Z') ?? '',
        ),
      },
    );
    expect(authorization).toBe(expected.headers.authorization);
  });

  it('takes john to ready for payment the way the example does', async () => {
    // Prepare
    const signupplus = client();
    const { onboardingId, redirectUserTo } = await startSignUp(signupplus, 'customer-7');

    // Act: the user at the bank, then the return page
    await fetch(await authorize(stack, redirectUserTo, 'john'), { redirect: 'manual' });
    const onboarding = await followSignUp(signupplus, onboardingId, async () => {
      throw new Error('john has one account');
    });

    // Assess
    expect(onboarding).toMatchObject({
      status: 'completed',
      reference: 'customer-7',
      account: { account_number: '12345678' },
    });
  });

  it('chooses jane’s account when asked, as the example does', async () => {
    const signupplus = client();
    const { onboardingId, redirectUserTo } = await startSignUp(signupplus, 'customer-8');
    await fetch(await authorize(stack, redirectUserTo, 'jane'), { redirect: 'manual' });
    const offered: string[] = [];

    const onboarding = await followSignUp(signupplus, onboardingId, async (accounts) => {
      offered.push(...accounts.map((account) => `${account.display_name} ${account.sort_code}`));
      return accounts[2]?.account_id ?? '';
    });

    expect(offered).toEqual([
      'TRANSACTION ACCOUNT 1 01-21-31',
      'TRANSACTION ACCOUNT 2 01-21-31',
      'TRANSACTION ACCOUNT 3 01-21-31',
    ]);
    expect(onboarding).toMatchObject({ status: 'completed', chosen_account_id: 'acc-469b2c2bcaea10969' });
  });

  it('throws the product’s problem, with its status and detail', async () => {
    const attempt = client().getOnboarding('00000000-0000-4000-8000-000000000000');

    await expect(attempt).rejects.toBeInstanceOf(SignupPlusProblemError);
    await expect(attempt).rejects.toMatchObject({
      status: 404,
      problem: { type: 'urn:signupplus:problem:not-found' },
    });
    const invalid = client().createOnboarding({ reference: '<script>' });
    await expect(invalid).rejects.toMatchObject({
      status: 400,
      problem: { errors: [{ field: 'reference' }] },
    });
  });

  it.each([
    [403, '{"message":"Forbidden"}', {}, undefined],
    [429, '{"message":"Too Many Requests"}', { 'retry-after': '2' }, 2],
  ])('tells API Gateway’s own %i from the product’s answers', async (status, body, headers, retryAfter) => {
    const attempt = client({ baseUrl: await gateway(status, body, headers) }).getOnboarding('x');

    await expect(attempt).rejects.toBeInstanceOf(SignupPlusGatewayError);
    await expect(attempt).rejects.toMatchObject({
      status,
      gatewayMessage: JSON.parse(body).message,
      retryAfterSeconds: retryAfter,
    });
  });

  it('refuses an answer that is not in the contract', async () => {
    const attempt = client({ baseUrl: await gateway(200, '{"status":"teleported"}') }).getOnboarding('x');

    await expect(attempt).rejects.toBeInstanceOf(SignupPlusContractError);
  });

  it('reads the published events with the product’s schemas, once each', async () => {
    // Prepare: a completed journey and its event, delivered twice
    const signupplus = client();
    const { onboardingId, redirectUserTo } = await startSignUp(signupplus, 'customer-9');
    await fetch(await authorize(stack, redirectUserTo, 'ivy'), { redirect: 'manual' });
    await signupplus.waitForOnboarding(onboardingId, { intervalMs: 100, timeoutMs: 10_000 });
    // The record is the commit point; its event leaves the outbox a moment later.
    await eventually(
      async () => stack.events(onboardingId),
      (events) => events.length > 0,
      { what: `the event of ${onboardingId}` },
    );
    const ready: ReadyCustomer[] = [];
    const handler = makeHandler(new Set(), async (customer) => {
      ready.push(customer);
    });

    // Act
    for (const event of [...stack.events(onboardingId), ...stack.events(onboardingId)]) await handler(event);
    await handler({ source: 'somebody.else', 'detail-type': 'Onboarding Ready For Payment', detail: {} });

    // Assess
    expect(ready).toEqual([{ onboardingId, name: 'Ivy Banks', account: { iban: 'GB33BUKB20201555555555' } }]);
  });
});
