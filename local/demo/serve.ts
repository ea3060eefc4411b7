import { readFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';

const asset = (name: string) => readFileSync(new URL(name, import.meta.url), 'utf8');

/** The demo is three static files, read once: no framework, nothing fetched from the internet. */
const FILES: Record<string, { type: string; body: string }> = {
  '/': { type: 'text/html; charset=utf-8', body: asset('./index.html') },
  '/demo.js': { type: 'text/javascript; charset=utf-8', body: asset('./demo.js') },
  '/demo.css': { type: 'text/css; charset=utf-8', body: asset('./demo.css') },
};

export function serveDemo(url: URL, response: ServerResponse): boolean {
  const file = FILES[url.pathname];
  if (!file) return false;
  response.writeHead(200, {
    'content-type': file.type,
    'cache-control': 'no-store',
    'content-security-policy': "default-src 'self'; style-src 'self'; script-src 'self'",
    'referrer-policy': 'no-referrer',
  });
  response.end(file.body);
  return true;
}
