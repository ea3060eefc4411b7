import { createPaymentRoute, getPaymentRoute, signupPlusPaymentsRoute } from './api-routes.ts';
import { hostedPageRoutes } from './hosted-page.ts';

export { authorizeCheckoutLink, HPP_PATH, parseCheckoutLink } from './checkout.ts';
export { PAYMENT_USERS } from './checkout-store.ts';
export { PaymentStore } from './store.ts';

/** Payments v3 and Signup+ by payment on the API host. */
export const paymentApiRoutes = [createPaymentRoute, getPaymentRoute, signupPlusPaymentsRoute];

/** The hosted payment page on the auth host (it takes payment and mandate links). */
export const paymentAuthRoutes = hostedPageRoutes;
