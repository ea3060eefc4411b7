import { createPaymentRoute, getPaymentRoute, signupPlusPaymentsRoute } from './api-routes.ts';
import { hostedPageRoutes } from './hosted-page.ts';

export { authorizePaymentLink, HPP_PATH, parsePaymentLink } from './hosted-page.ts';
export { PAYMENT_USERS, PaymentStore } from './store.ts';

/** Payments v3 and Signup+ by payment on the API host. */
export const paymentApiRoutes = [createPaymentRoute, getPaymentRoute, signupPlusPaymentsRoute];

/** The hosted payment page on the auth host. */
export const paymentAuthRoutes = hostedPageRoutes;
