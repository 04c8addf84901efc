import { ArgumentMetadata, ValidationError, ValidationPipe } from '@nestjs/common';
import { getMetadataStorage } from 'class-validator';
import { BadRequestError } from '@app/common';

type Problem = { path: string; message: string };

function flatten(errors: ValidationError[], parent = ''): Problem[] {
  return errors.flatMap((error) => {
    const path = `${parent}/${error.property}`;
    const own = Object.values(error.constraints ?? {}).map((message) => ({ path, message }));
    return own.concat(flatten(error.children ?? [], path));
  });
}

function refuse(problems: Problem[]): BadRequestError {
  return new BadRequestError('VALIDATION_FAILED', `The request has ${problems.length} problem(s): ${problems.map((p) => `${p.path} ${p.message}`).join('; ')}`, {
    problems,
  });
}

/**
 * DTO validation: unknown fields and wrong types are refused with every problem as `{ path, message }`.
 * Unknown top-level fields are also looked for in the raw input: class-transformer never copies a
 * field named like an object member (`toString`, `constructor`), so the whitelist would not see it.
 */
class StrictValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const unknown = this.unknownTopLevelFields(value, metadata);
    try {
      const transformed = await super.transform(value, metadata);
      if (unknown.length > 0) throw refuse(unknown);
      return transformed;
    } catch (error) {
      if (unknown.length === 0 || !(error instanceof BadRequestError) || error.code !== 'VALIDATION_FAILED') throw error;
      // Every problem at once: those found here and those the validator found, each path once.
      const found = (error.details?.problems as Problem[] | undefined) ?? [];
      const seen = new Set(found.map((problem) => problem.path));
      throw refuse([...found, ...unknown.filter((problem) => !seen.has(problem.path))]);
    }
  }

  private unknownTopLevelFields(value: unknown, metadata: ArgumentMetadata): Problem[] {
    const metatype = metadata.metatype;
    if (!metatype || !value || typeof value !== 'object' || Array.isArray(value) || (metadata.type !== 'body' && metadata.type !== 'query')) return [];
    const known = knownFields(metatype);
    if (known.size === 0) return [];
    return Object.keys(value)
      .filter((key) => !known.has(key))
      .map((key) => ({ path: `/${key}`, message: `property ${key} should not exist` }));
  }
}

/** A DTO's validated fields never change after start-up: looked up once per class, not per request. */
const knownFieldsByClass = new WeakMap<object, Set<string>>();

function knownFields(metatype: object): Set<string> {
  let known = knownFieldsByClass.get(metatype);
  if (!known) {
    known = new Set(getMetadataStorage().getTargetValidationMetadatas(metatype as new () => unknown, '', true, false).map((meta) => meta.propertyName));
    knownFieldsByClass.set(metatype, known);
  }
  return known;
}

export function createValidationPipe(): ValidationPipe {
  return new StrictValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    exceptionFactory: (errors) => refuse(flatten(errors)),
  });
}
