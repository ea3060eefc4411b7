import { paymentsClient } from '../truelayer/payments-client.ts';
import { clientToken, endpoints } from './payments.ts';

/** A payment's status and, once it settled, its payer from Signup+. */
export const payments = paymentsClient({
  endpoints,
  paymentsToken: clientToken('payments'),
  signupPlusToken: clientToken('payments signupplus'),
});
