/**
 * The link to TrueLayer's hosted payment page for one payment: the page reads
 * the payment id and its resource token from the query and sends the user to
 * `returnUri` (which must be allow-listed in TrueLayer Console) when done.
 */
export function buildPaymentLink(parameters: {
  hppBaseUrl: string;
  paymentId: string;
  resourceToken: string;
  returnUri: string;
}): string {
  const link = new URL(`${parameters.hppBaseUrl}/`);
  link.searchParams.set('payment_id', parameters.paymentId);
  link.searchParams.set('resource_token', parameters.resourceToken);
  link.searchParams.set('return_uri', parameters.returnUri);
  return link.toString();
}
