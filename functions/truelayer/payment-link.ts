/**
 * The link to TrueLayer's hosted page for one payment or mandate: the page
 * reads the resource's id and its resource token from the query and sends the
 * user to `returnUri` (which must be allow-listed in TrueLayer Console) when
 * done, with the same id (`payment_id` or `mandate_id`).
 */
export function buildPaymentLink(parameters: {
  hppBaseUrl: string;
  resource: { kind: 'payment' | 'mandate'; id: string };
  resourceToken: string;
  returnUri: string;
}): string {
  const link = new URL(`${parameters.hppBaseUrl}/`);
  link.searchParams.set(`${parameters.resource.kind}_id`, parameters.resource.id);
  link.searchParams.set('resource_token', parameters.resourceToken);
  link.searchParams.set('return_uri', parameters.returnUri);
  return link.toString();
}
