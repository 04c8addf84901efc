/**
 * One map key for a row named within an organization (a case, a run's case, an Idempotency-Key),
 * for batches that serve the callers of several organizations at once.
 */
export const orgKey = (organizationId: string, id: string): string => `${organizationId}/${id}`;
