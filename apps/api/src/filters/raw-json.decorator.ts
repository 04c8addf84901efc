import { Transform } from 'class-transformer';

/**
 * Keeps a free-form JSON field exactly as the client sent it. The validation pipe's transform
 * would otherwise rebuild it through class-transformer, which silently drops keys that look like
 * object internals (`constructor`, `__proto__`, ...) at any depth of the entity's own data.
 */
export const RawJson = (): PropertyDecorator => Transform(({ obj, key }) => (obj as Record<string, unknown>)[key], { toClassOnly: true });
