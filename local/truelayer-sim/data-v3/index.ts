/**
 * Data API v3 connections for the TrueLayer simulator, plugged in through the
 * simulator's extra-route extension point:
 *
 *   const dataV3 = dataConnectionRoutes({ aispLicensedClients: [] });
 *   await startTrueLayerSimulator({
 *     clients,
 *     extraApiRoutes: dataV3.apiRoutes,
 *     extraAuthRoutes: dataV3.authRoutes,
 *     extraLinkDeciders: dataV3.linkDeciders, // POST /_sandbox/authorize takes the connection links
 *   });
 */
export { type DataV3Options, type DataV3Simulator, dataConnectionRoutes } from './routes.ts';
export type { SimConnection, SimConnectionStatus, SimSignupPlusRequest } from './store.ts';
export {
  type AcceptedRequest,
  type RuleOptions,
  type SimConfiguration,
  type Verdict,
  validateDataConnectionRequest,
} from './validate.ts';
