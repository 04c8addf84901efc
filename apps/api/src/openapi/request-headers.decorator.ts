import { ApiHeader } from '@nestjs/swagger';

/*
 * A handler's `@Headers('if-match')` already puts a required parameter named `if-match` in the
 * document. Documenting the header under that same lower-case name (header names are
 * case-insensitive) makes swagger merge the two into one optional, described parameter, where
 * `If-Match` would list it twice.
 */

/** `If-Match: "<case version>"` (the case's ETag): optimistic concurrency for one case. */
export function ApiIfMatchHeader(whenStale: string): MethodDecorator & ClassDecorator {
  return ApiHeader({
    name: 'if-match',
    required: false,
    description: `If-Match: the case version the change was made on, as its ETag (\`"3"\`, \`W/"3"\` or \`3\`); ${whenStale}. 400 INVALID_IF_MATCH when malformed.`,
    example: '"3"',
  });
}

export function ApiIdempotencyKeyHeader(): MethodDecorator & ClassDecorator {
  return ApiHeader({
    name: 'idempotency-key',
    required: false,
    description:
      'Idempotency-Key: 1-255 visible ASCII characters. A replay with the same key and request gets the stored answer (header `Idempotent-Replayed: true`) ' +
      'with no second effect; the same key with a different request is 422 IDEMPOTENCY_KEY_REUSED.',
    example: 'crm-sync-2024-06-01-42',
  });
}
