/**
 * The switch profiles of the TrueLayer simulator the matrix run uses
 * (scripts/conformance-matrix.ts), and the test files it runs under each.
 * test/unit/conformance.test.ts checks that, with the defaults, every value of
 * every switch is played, but two: `identification_known_user` takes the
 * Finnish identification out of the journey, so its test
 * (finland-journeys.test.ts) plays it on its own, as a journey of that shape;
 * `signup_plus_request_outcome` changes how a connection journey ends, so
 * connection-signup-journeys.test.ts plays `failed` and `problem` on their own (`never` is the
 * request deadline, which the unit tests cover on a fake clock).
 */

/** Together with the defaults, each value of each switch appears at least once. */
export const PROFILES: Readonly<Record<string, string>> = {
  'status-300-no-connection-id-no-read-gzip-nulls-country-code':
    'multiple_accounts_status=300,return_connection_id=false,data_connection_endpoint=absent,gzip=true,absent_fields=null,address_country_key=country_code,authuri_status=200,identification_return_reference=absent,identification_expired_type=authorization_expired,signup_plus_request_shape=flat,signup_plus_request_status_words=alternate,signup_plus_request_pending_polls=0',
  'status-400-no-read-empties':
    'multiple_accounts_status=400,data_connection_endpoint=absent,absent_fields=empty,identification_reference_required=true,identification_expired_type=webhook_authorisation_expired,signup_plus_request_pending_polls=3',
  'status-409-no-connection-id-gzip-empties-country-code':
    'multiple_accounts_status=409,return_connection_id=false,gzip=true,absent_fields=empty,address_country_key=country_code',
};

/** Journey tests through the local stack that read TrueLayer's answers. */
export const MATRIX_FILES = [
  'test/integration/single-account-journey.test.ts',
  'test/integration/multi-account-journey.test.ts',
  'test/integration/connections-journeys.test.ts',
  'test/integration/truelayer-switch-journeys.test.ts',
  'test/integration/duplicates.test.ts',
  'test/integration/leak-scan.test.ts',
  'test/integration/finland-journeys.test.ts',
  'test/integration/connection-signup-journeys.test.ts',
];
