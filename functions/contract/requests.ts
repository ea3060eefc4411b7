/**
 * Every request schema of the API in one place, for the tools that describe
 * or call the API as a whole (the OpenAPI generator, the TypeScript client,
 * the tests). Handlers import their own area's module instead, so that a
 * function builds only the schemas it reads at cold start.
 */

export { type ConnectionRequest, connectionRequestSchema } from '../connections/request.ts';
export * from './connection-requests.ts';
export * from './onboarding-requests.ts';
