import { Ajv2020, type ErrorObject } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { ISO_COUNTRIES, ISO_LANGUAGES } from './codes.ts';
import schema from './data-connection.schema.json' with { type: 'json' };
import type { AcceptedRequest, RuleOptions, SimConfiguration, SimFilter, Verdict } from './verdict.ts';

/**
 * The simulator's own reading of the `POST /v3/data-connections` rules (seed
 * 003): `data-connection.schema.json`, checked by Ajv, on purpose without the
 * product's schemas. The product and the simulator check each other, and a
 * test runs the same cases through both.
 */

export type { AcceptedRequest, RuleOptions, SimConfiguration, SimFilter, Verdict };

/** What the schema guarantees of a body it accepts (only the fields read below). */
interface ValidBody {
  scopes: string[];
  provider_selection: { type: 'preselected' | 'user_selected'; provider_id?: string; filter?: SimFilter };
  user: { id?: string };
  user_consent: { type: AcceptedRequest['consent'] };
  hosted_page?: {
    type: 'result_page' | 'authorization_flow';
    return_uri?: string;
    redirect?: { return_uri?: string };
  };
  authorization_flow?: { redirect?: { return_uri?: string } };
  data_access_type?: AcceptedRequest['dataAccessType'];
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** https, or http on a loopback host, and no user information (the schema itself refuses whitespace and fragments). */
function isReturnUri(value: string): boolean {
  const url = URL.parse(value);
  if (url === null || url.username !== '' || url.password !== '') return false;
  return url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname));
}

// verbose: an error carries the schema it came from, whose `description` is the rule's message.
const ajv = new Ajv2020({ allErrors: true, $data: true, verbose: true });
addFormats.default(ajv, ['email', 'date-time']);
ajv.addFormat('iso-country', { type: 'string', validate: (code) => ISO_COUNTRIES.has(code) });
ajv.addFormat('iso-language', { type: 'string', validate: (code) => ISO_LANGUAGES.has(code) });
ajv.addFormat('return-uri', { type: 'string', validate: isReturnUri });
const unlicensed = ajv.compile<ValidBody>(schema);
const licensed = ajv.compile<ValidBody>({ ...schema, $defs: { ...schema.$defs, contact: true } });

/** Where an error points, dotted: `user.foo` for an unknown field, `parent.child` for a missing one. */
function fieldOf({ instancePath, keyword, params, propertyName }: ErrorObject): string {
  const path = instancePath
    .split('/')
    .slice(1)
    .map((segment) => segment.replaceAll('~1', '/').replaceAll('~0', '~'));
  if (keyword === 'type' && path.length === 0) return '(body)';
  // A repeated item is named at its second place (Ajv reports the pair in either order).
  const child =
    propertyName ??
    params.missingProperty ??
    params.additionalProperty ??
    (keyword === 'uniqueItems' ? Math.max(params.i, params.j) : undefined);
  return [...path, ...(child === undefined ? [] : [String(child)])].join('.');
}

function messageOf({ keyword, parentSchema, message, instancePath }: ErrorObject): string {
  if (typeof parentSchema?.description === 'string') return parentSchema.description;
  if (keyword === 'type' && instancePath === '') return 'The body must be a JSON object';
  if (keyword === 'required') return 'Required';
  if (keyword === 'additionalProperties') return 'Unknown field';
  return message ?? 'Invalid value';
}

/** Field → messages, built in a Map: field names come from the body (`metadata.constructor` is a fine key). */
function refusal(errors: ErrorObject[]): Verdict {
  const byField = new Map<string, string[]>();
  // `if` and `propertyNames` only summarise the errors of the schemas beneath them.
  for (const error of errors.filter(({ keyword }) => keyword !== 'if' && keyword !== 'propertyNames')) {
    const field = fieldOf(error);
    const messages = byField.get(field) ?? [];
    const message = messageOf(error);
    if (!messages.includes(message)) byField.set(field, [...messages, message]);
  }
  return { ok: false, errors: Object.fromEntries(byField) };
}

/** Which of the five configurations a body is, by its selection, consent, hosted page type and custom flow. */
const CONFIGURATIONS = new Map<string, SimConfiguration>([
  ['user_selected|authorization_flow_captured|authorization_flow|-', 'hosted_flow'],
  ['preselected|authorization_flow_captured|authorization_flow|-', 'own_provider_selection'],
  ['preselected|precaptured|authorization_flow|-', 'own_provider_selection_and_consent'],
  ['preselected|precaptured|result_page|-', 'own_flow_with_result_page'],
  ['preselected|precaptured|-|custom', 'fully_custom'],
]);

function accepted(body: ValidBody): Verdict {
  const { provider_selection: selection, hosted_page: page, authorization_flow: flow } = body;
  const consent = body.user_consent.type;
  const configuration = CONFIGURATIONS.get(
    `${selection.type}|${consent}|${page?.type ?? '-'}|${flow === undefined ? '-' : 'custom'}`,
  );
  if (configuration === undefined) {
    const message =
      'Unsupported combination of provider_selection, user_consent, hosted_page and authorization_flow';
    return { ok: false, errors: { '(configuration)': [message] } };
  }
  const returnUris: Array<[string, string | undefined]> = [
    ['authorization_flow.redirect.return_uri', flow?.redirect?.return_uri],
    ['hosted_page.return_uri', page?.return_uri],
    ['hosted_page.redirect.return_uri', page?.redirect?.return_uri],
  ];
  const [returnUriField, returnUri] = returnUris.find(([, uri]) => uri !== undefined) ?? [];
  const userId = body.user.id;
  return {
    ok: true,
    request: {
      configuration,
      scopes: body.scopes,
      selection:
        selection.type === 'preselected'
          ? { type: 'preselected', providerId: selection.provider_id ?? '' }
          : { type: 'user_selected', filter: { ...selection.filter } },
      consent,
      ...(page === undefined ? {} : { hostedPageType: page.type }),
      ...(returnUri === undefined ? {} : { returnUri, returnUriField }),
      ...(userId === undefined ? {} : { userId }),
      dataAccessType: body.data_access_type ?? 'recurring',
    },
  };
}

/** Checks a create-connection body against every rule; on success says which configuration it is. */
export function validateDataConnectionRequest(body: unknown, options: RuleOptions): Verdict {
  const validate = options.aispLicensed ? licensed : unlicensed;
  if (!validate(body)) return refusal(validate.errors ?? []);
  return accepted(body);
}
