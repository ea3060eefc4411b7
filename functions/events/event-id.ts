import { createHash } from 'node:crypto';

/**
 * A UUID derived from what the event is about (name-based, like UUIDv5 but
 * with SHA-256), so a retried publication carries the same id and consumers
 * can deduplicate on it.
 */
export function stableEventId(...parts: string[]): string {
  const hex = createHash('sha256').update(parts.join('\u0000')).digest('hex');
  const variant = ((Number.parseInt(hex.slice(16, 17), 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
