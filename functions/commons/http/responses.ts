import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

export function jsonResponse(statusCode: number, body: unknown): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
    body: JSON.stringify(body),
  };
}

/** `201 Created` with the new resource's path in `Location`. */
export function createdResponse(location: string, body: unknown): APIGatewayProxyStructuredResultV2 {
  const response = jsonResponse(201, body);
  return { ...response, headers: { ...response.headers, location } };
}

export function redirectResponse(location: string): APIGatewayProxyStructuredResultV2 {
  // no-store and no-referrer: the callback URL carried an authorization code.
  return {
    statusCode: 302,
    headers: { location, 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' },
    body: '',
  };
}
