import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { generateApiKey } from '@app/auth';

export const LOCAL_ADMIN_KEY_FILE = '.caseflow/admin-key';

/**
 * When CASEFLOW_ADMIN_KEY is not set outside production, a local admin key is generated once and
 * kept in .caseflow/admin-key (readable by its owner only), so `npm start` on a new machine gives
 * a usable API. Deployments set CASEFLOW_ADMIN_KEY instead.
 */
export function localAdminKey(file = LOCAL_ADMIN_KEY_FILE): { key: string; created: boolean } {
  const path = resolve(file);
  if (existsSync(path)) return { key: readFileSync(path, 'utf8').trim(), created: false };
  mkdirSync(dirname(path), { recursive: true });
  const key = generateApiKey();
  writeFileSync(path, `${key}\n`, { mode: 0o600 });
  chmodSync(path, 0o600);
  return { key, created: true };
}
