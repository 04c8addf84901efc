import { BadRequestError } from '@app/common';

/** The case version named by an `If-Match` header (`"3"`, `W/"3"` or `3`); undefined without one. */
export function versionFromIfMatch(header: string | undefined): number | undefined {
  if (header === undefined || header.trim() === '' || header.trim() === '*') return undefined;
  const match = /^(?:W\/)?"?(\d{1,9})"?$/.exec(header.trim());
  if (!match) throw new BadRequestError('INVALID_IF_MATCH', 'If-Match must be the case version from its ETag, e.g. "3".');
  return Number(match[1]);
}

/** Both ways of naming the version must agree when a client sends both. */
export function expectedVersion(bodyVersion: number | undefined, ifMatch: string | undefined): number | undefined {
  const headerVersion = versionFromIfMatch(ifMatch);
  if (bodyVersion !== undefined && headerVersion !== undefined && bodyVersion !== headerVersion) {
    throw new BadRequestError('VERSION_DISAGREES', 'The body version and If-Match name different versions.');
  }
  return bodyVersion ?? headerVersion;
}
