import { createHash, randomBytes } from 'node:crypto';

const KEY_PREFIX = 'cf_';

/** A new key: 32 random bytes, so a fast hash is enough to store it (no dictionary to attack). */
export function generateApiKey(): string {
  return KEY_PREFIX + randomBytes(32).toString('base64url');
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** What an admin sees of a key in listings: enough to tell keys apart, useless to an attacker. */
export function displayPrefix(key: string): string {
  return key.slice(0, KEY_PREFIX.length + 6);
}
