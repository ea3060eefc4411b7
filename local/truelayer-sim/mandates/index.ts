import {
  createMandateRoute,
  getMandateRoute,
  revokeMandateRoute,
  signupPlusMandatesRoute,
} from './api-routes.ts';

export { MandateStore } from './store.ts';

/**
 * Payments v3 mandates (sweeping VRP) and Signup+ by mandate on the API host; their hosted page is
 * the payments' one (payments/hosted-page.ts), with `mandate_id`.
 */
export const mandateApiRoutes = [
  createMandateRoute,
  getMandateRoute,
  revokeMandateRoute,
  signupPlusMandatesRoute,
];
