import type { ConnectedAccounts } from '../contract/responses.ts';
import { ConnectionDataUnavailableError } from './errors.ts';
import type { ConnectionRepository } from './repository.ts';
import { type ConnectedAccountItem, type DataConnectionsClient, identifierOf } from './truelayer-client.ts';

export interface ListAccountsDependencies {
  repository: Pick<ConnectionRepository, 'get'>;
  trueLayer: Pick<DataConnectionsClient, 'connectedAccounts'>;
}

/** One account as the API answers it: TrueLayer's typed identifier sets flattened, absent fields left out. */
function toAccount(item: ConnectedAccountItem): ConnectedAccounts['accounts'][number] {
  const pick = (field: 'sort_code' | 'account_number' | 'iban') => identifierOf(item, field);
  // Absent fields stay undefined: the answer is JSON, which leaves them out.
  return {
    account_id: item.id,
    account_type: item.account_type,
    customer_segment: item.customer_segment,
    currency: item.currency,
    sort_code: pick('sort_code'),
    account_number: pick('account_number'),
    iban: pick('iban'),
    bic: item.bic,
    holder_names: (item.account_holder_names ?? []).filter((name) => name !== undefined),
  };
}

/**
 * The connection's record, if its data may be asked of TrueLayer: it is
 * authorised and was created with `scope`. TrueLayer is not asked otherwise.
 */
export async function readableConnection(
  connectionId: string,
  scope: 'accounts' | 'info',
  repository: Pick<ConnectionRepository, 'get'>,
) {
  const record = await repository.get(connectionId);
  if (record.status !== 'authorized')
    throw new ConnectionDataUnavailableError('not_authorized', record.status);
  if (!record.scopes.includes(scope))
    throw new ConnectionDataUnavailableError('scope_missing', record.status, scope);
  return record;
}

/**
 * `GET /connections/{id}/accounts`: the accounts of an authorised connection,
 * asked of TrueLayer each time (the product stores none of it). A connection
 * that is not authorised, lacks the `accounts` scope, or whose access
 * TrueLayer no longer grants is refused with its status.
 */
export async function listConnectedAccounts(
  connectionId: string,
  caller: { endUserIp?: string | undefined },
  deps: ListAccountsDependencies,
): Promise<ConnectedAccounts> {
  const record = await readableConnection(connectionId, 'accounts', deps.repository);
  const answer = await deps.trueLayer.connectedAccounts(connectionId, caller);
  if (answer === 'not_authorized') throw new ConnectionDataUnavailableError('access_lapsed', record.status);
  return { connection_id: connectionId, accounts: answer.accounts.map(toAccount) };
}
