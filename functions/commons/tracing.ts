import { tracer } from './tracer.ts';

/** The part of an X-Ray subsegment this module uses (aws-xray-sdk-core's Subsegment has all of it). */
export interface TraceSubsegment {
  namespace?: string;
  addAnnotation(key: string, value: string): void;
  addAttribute(name: string, data: unknown): void;
  addMetadata(key: string, value: unknown): void;
  addThrottleFlag(): void;
  addFaultFlag(): void;
  addErrorFlag(): void;
  close(): void;
}

/** Where a subsegment is added: the current segment, when tracing is on. */
export interface TraceParent {
  addNewSubsegment(name: string): TraceSubsegment;
}

/** One call to a service outside AWS, as the trace shows it. */
export interface RemoteCall {
  /** The node in the service map, e.g. `TrueLayer`. */
  service: string;
  /** What the call is for, e.g. `code exchange` (annotated, so traces can be searched by it). */
  operation: string;
  method: string;
  url: URL;
}

const currentParent = (): TraceParent | undefined =>
  tracer.isTracingEnabled() ? tracer.getSegment() : undefined;

export interface TraceOptions {
  /** The status an error stands for (a 429 or 5xx that the transport throws), when it knows one. */
  statusOfError?: (error: unknown) => number | undefined;
  /** Default: the current segment, when tracing is on. */
  parent?: TraceParent | undefined;
}

function flag(subsegment: TraceSubsegment, status: number | undefined): void {
  if (status === 429) subsegment.addThrottleFlag();
  else if (status === undefined || status >= 500) subsegment.addFaultFlag();
  else if (status >= 400) subsegment.addErrorFlag();
}

/**
 * Runs `send` as a remote subsegment of the current trace. It records the
 * method, the host and the path (the query is left out: a Signup+ read
 * names the account), the status and how long it took, and flags throttles
 * (429), faults (5xx, no answer) and errors (4xx). Nothing else: no header
 * (the access token and the client secret travel in them), no body, no
 * error message (only the error's name).
 */
export async function traceRemoteCall<T extends { status: number }>(
  call: RemoteCall,
  send: () => Promise<T>,
  options: TraceOptions = {},
): Promise<T> {
  const parent = 'parent' in options ? options.parent : currentParent();
  if (!parent) return send();
  const subsegment = parent.addNewSubsegment(call.service);
  subsegment.namespace = 'remote';
  subsegment.addAnnotation('operation', call.operation);
  const request = { method: call.method, url: `${call.url.origin}${call.url.pathname}` };
  try {
    const answer = await send();
    subsegment.addAttribute('http', { request, response: { status: answer.status } });
    if (answer.status >= 400) flag(subsegment, answer.status);
    return answer;
  } catch (error) {
    const status = options.statusOfError?.(error);
    subsegment.addAttribute('http', { request, ...(status === undefined ? {} : { response: { status } }) });
    flag(subsegment, status);
    subsegment.addMetadata('error', error instanceof Error ? error.name : 'unknown');
    throw error;
  } finally {
    subsegment.close();
  }
}
