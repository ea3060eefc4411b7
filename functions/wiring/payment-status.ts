import { paymentsClient } from '../truelayer/payments-client.ts';
import { clientToken, endpoints } from './payments.ts';

/** A payment's or a mandate's status and, once it is done, the user from Signup+. */
export const payments = paymentsClient({
  endpoints,
  tokens: {
    payment: { state: clientToken('payments'), signupPlus: clientToken('payments signupplus') },
    mandate: {
      state: clientToken('recurring_payments:sweeping'),
      signupPlus: clientToken('recurring_payments:sweeping signupplus'),
    },
  },
});
