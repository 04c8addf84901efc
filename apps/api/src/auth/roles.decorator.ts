import { SetMetadata } from '@nestjs/common';
import type { Role } from '@app/common';

export const ROLES_KEY = 'caseflow:roles';
export const PUBLIC_KEY = 'caseflow:public';

/** The roles allowed on a route (admins always are). A route with neither @Roles nor @Public is refused. */
export const Roles = (...roles: Role[]) => SetMetadata(ROLES_KEY, roles);

/** A route open without a key (health checks). */
export const Public = () => SetMetadata(PUBLIC_KEY, true);
