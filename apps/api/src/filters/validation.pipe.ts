import { ValidationError, ValidationPipe } from '@nestjs/common';
import { BadRequestError } from '@app/common';

function flatten(errors: ValidationError[], parent = ''): Array<{ path: string; message: string }> {
  return errors.flatMap((error) => {
    const path = `${parent}/${error.property}`;
    const own = Object.values(error.constraints ?? {}).map((message) => ({ path, message }));
    return own.concat(flatten(error.children ?? [], path));
  });
}

/** DTO validation: unknown fields and wrong types are refused with every problem as `{ path, message }`. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    exceptionFactory: (errors) => {
      const problems = flatten(errors);
      return new BadRequestError('VALIDATION_FAILED', `The request has ${problems.length} problem(s): ${problems.map((p) => `${p.path} ${p.message}`).join('; ')}`, {
        problems,
      });
    },
  });
}
