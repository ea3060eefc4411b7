import type { RequestContext } from './context.ts';
import type { SimResponse } from './http-io.ts';

/** Methods the simulator routes. */
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** One entry of a host's route table; extra modules register more with the same shape. */
export interface RouteDefinition {
  method: HttpMethod;
  /** Exact path such as `/v3/data-connections`; a `:name` segment matches one path segment. */
  path: string;
  /** Endpoint name used by `calls()` and by fault rules. */
  name: string;
  /**
   * Whether added latency and fault rules apply (default true). The dialog pages and the
   * `/_sandbox` controls opt out so faults cannot lock a test out of its own controls.
   */
  faultable?: boolean;
  /** Well-formed JSON that breaks this endpoint's documented shape, for the `schema` fault. */
  schemaViolation?: unknown;
  handle(ctx: RequestContext): SimResponse | Promise<SimResponse>;
}

/** Result of matching a request against a route table. */
export type RouteMatch =
  | { kind: 'found'; route: RouteDefinition; params: Record<string, string> }
  | { kind: 'method_not_allowed'; allow: HttpMethod[] }
  | { kind: 'not_found' };

function matchPath(pattern: string, path: string): Record<string, string> | undefined {
  const want = pattern.split('/');
  const got = path.split('/');
  if (want.length !== got.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i += 1) {
    const w = want[i] ?? '';
    const g = got[i] ?? '';
    if (w.startsWith(':')) {
      if (g === '') return undefined;
      params[w.slice(1)] = decodeURIComponent(g);
    } else if (w !== g) {
      return undefined;
    }
  }
  return params;
}

/** A small route table: exact paths with optional `:name` segments. */
export class Router {
  readonly #routes: RouteDefinition[] = [];

  constructor(routes: readonly RouteDefinition[] = []) {
    for (const route of routes) this.add(route);
  }

  /** Adds a route; the same method and path twice is a programming error. */
  add(route: RouteDefinition): void {
    if (!route.path.startsWith('/')) throw new Error(`Route path must start with "/": ${route.path}`);
    if (this.#routes.some((r) => r.method === route.method && r.path === route.path)) {
      throw new Error(`Route ${route.method} ${route.path} is registered twice`);
    }
    this.#routes.push(route);
  }

  /** Finds the route for a method and path, or says why none fits (404 or 405). */
  match(method: string, path: string): RouteMatch {
    const allow: HttpMethod[] = [];
    for (const route of this.#routes) {
      let params: Record<string, string> | undefined;
      try {
        params = matchPath(route.path, path);
      } catch {
        // A malformed percent-escape cannot match any route.
        return { kind: 'not_found' };
      }
      if (params === undefined) continue;
      if (route.method === method) return { kind: 'found', route, params };
      allow.push(route.method);
    }
    return allow.length > 0 ? { kind: 'method_not_allowed', allow } : { kind: 'not_found' };
  }
}
