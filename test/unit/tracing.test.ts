import { describe, expect, it } from 'vitest';
import { type TraceParent, type TraceSubsegment, traceRemoteCall } from '../../functions/commons/tracing.ts';

/** Records what a subsegment was given, as X-Ray would serialise it. */
class RecordedSubsegment implements TraceSubsegment {
  namespace?: string;
  readonly annotations: Record<string, string> = {};
  readonly attributes: Record<string, unknown> = {};
  readonly metadata: Record<string, unknown> = {};
  readonly flags: string[] = [];
  closed = false;
  readonly name: string;
  constructor(name: string) {
    this.name = name;
  }
  addAnnotation(key: string, value: string) {
    this.annotations[key] = value;
  }
  addAttribute(name: string, data: unknown) {
    this.attributes[name] = data;
  }
  addMetadata(key: string, value: unknown) {
    this.metadata[key] = value;
  }
  addThrottleFlag() {
    this.flags.push('throttle');
  }
  addFaultFlag() {
    this.flags.push('fault');
  }
  addErrorFlag() {
    this.flags.push('error');
  }
  close() {
    this.closed = true;
  }
}

function recordingParent() {
  const subsegments: RecordedSubsegment[] = [];
  const parent: TraceParent = {
    addNewSubsegment: (name) => {
      const subsegment = new RecordedSubsegment(name);
      subsegments.push(subsegment);
      return subsegment;
    },
  };
  return { parent, subsegments };
}

const SECRET_QUERY = 'account_id=acc-1234567890';
const call = {
  service: 'TrueLayer',
  operation: 'signup-plus accounts',
  method: 'GET',
  url: new URL(`https://api.truelayer-sandbox.com/signup-plus/accounts?${SECRET_QUERY}`),
};

describe('traceRemoteCall', () => {
  it('records the call as a remote subsegment with method, host, path and status, and nothing else', async () => {
    const { parent, subsegments } = recordingParent();

    const answer = await traceRemoteCall(call, async () => ({ status: 200, body: { token: 'secret' } }), {
      parent,
    });

    expect(answer.status).toBe(200);
    const [subsegment] = subsegments;
    expect(subsegment?.name).toBe('TrueLayer');
    expect(subsegment?.namespace).toBe('remote');
    expect(subsegment?.annotations).toEqual({ operation: 'signup-plus accounts' });
    expect(subsegment?.attributes).toEqual({
      http: {
        request: { method: 'GET', url: 'https://api.truelayer-sandbox.com/signup-plus/accounts' },
        response: { status: 200 },
      },
    });
    expect(subsegment?.flags).toEqual([]);
    expect(subsegment?.closed).toBe(true);
    // The query (which names the account) and the answer never reach the trace.
    expect(JSON.stringify(subsegment)).not.toContain(SECRET_QUERY);
    expect(JSON.stringify(subsegment)).not.toContain('secret');
  });

  it.each([
    [429, ['throttle']],
    [503, ['fault']],
    [401, ['error']],
  ])('flags an answer %i as %j', async (status, flags) => {
    const { parent, subsegments } = recordingParent();
    await traceRemoteCall(call, async () => ({ status }), { parent });
    expect(subsegments[0]?.flags).toEqual(flags);
  });

  it('flags a failed call as a fault, with the status the error stands for and its name only', async () => {
    const { parent, subsegments } = recordingParent();
    class UnavailableError extends Error {
      override readonly name = 'UnavailableError';
      readonly status = 429;
    }
    const failing = traceRemoteCall(
      call,
      async (): Promise<{ status: number }> => {
        throw new UnavailableError('connection reset by 10.0.0.1 while sending Bearer abc');
      },
      { parent, statusOfError: (error) => (error instanceof UnavailableError ? error.status : undefined) },
    );

    await expect(failing).rejects.toBeInstanceOf(UnavailableError);
    const [subsegment] = subsegments;
    expect(subsegment?.flags).toEqual(['throttle']);
    expect(subsegment?.metadata).toEqual({ error: 'UnavailableError' });
    expect(subsegment?.attributes).toMatchObject({ http: { response: { status: 429 } } });
    expect(JSON.stringify(subsegment)).not.toContain('Bearer');
    expect(subsegment?.closed).toBe(true);
  });

  it('just sends when there is no trace (outside Lambda, or tracing off)', async () => {
    const answer = await traceRemoteCall(call, async () => ({ status: 204 }), { parent: undefined });
    expect(answer.status).toBe(204);
  });
});
