import { plainToInstance, Transform } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, Min, MinLength, validateSync } from 'class-validator';

const splitList = ({ value }: { value: unknown }) =>
  typeof value === 'string'
    ? value
        .split(',')
        .map((item) => item.trim())
        .filter(Boolean)
    : value;

const METRICS_PORT_MESSAGE = 'WORKER_METRICS_PORT must be a port number (1-65535)';

/**
 * Every setting Caseflow reads, validated once at start-up. Defaults work on a developer machine;
 * `.env.example` documents each one.
 */
export class CaseflowConfig {
  @Transform(({ value }) => (value === undefined || value === '' ? 3000 : Number(value)))
  @Min(0)
  @Max(65535)
  @IsInt({ message: 'PORT must be a port number (0-65535)' })
  PORT = 3000;

  /** Unset: an embedded PostgreSQL under .caseflow/ (see libs/persistence). */
  @IsOptional()
  @Matches(/^postgres(ql)?:\/\//, { message: 'DATABASE_URL must look like postgres://user@host:5432/caseflow' })
  DATABASE_URL?: string;

  @IsOptional()
  @Matches(/^rediss?:\/\//, { message: 'REDIS_URL must look like redis://127.0.0.1:6379' })
  REDIS_URL?: string;

  @IsOptional()
  @IsString()
  @MinLength(16, { message: 'CASEFLOW_ADMIN_KEY must be at least 16 characters' })
  CASEFLOW_ADMIN_KEY?: string;

  /** BullMQ key prefix, so several deployments or test suites can share one Redis. */
  @Matches(/^[A-Za-z0-9_-]+$/, { message: 'CASEFLOW_QUEUE_PREFIX may hold letters, digits, "-" and "_" only' })
  CASEFLOW_QUEUE_PREFIX = 'caseflow';

  /**
   * Step jobs a worker process holds at once. Jobs in progress wait on a shared transaction (group
   * commit), not on a connection each, so this sets how many steps one commit can carry.
   */
  @Transform(({ value }) => (value === undefined || value === '' ? 64 : Number(value)))
  @Min(1)
  @Max(500)
  @IsInt({ message: 'WORKER_CONCURRENCY must be a whole number from 1 to 500' })
  WORKER_CONCURRENCY = 64;

  /**
   * A worker process serves `GET /metrics` on this port, on every interface (unset: not served).
   * For `npm run start:worker`, which has no HTTP API: the API, and `npm start`, serve the same on
   * PORT.
   */
  @IsOptional()
  @Transform(({ value }) => (value === undefined || value === '' ? undefined : Number(value)))
  @Min(1, { message: METRICS_PORT_MESSAGE })
  @Max(65535, { message: METRICS_PORT_MESSAGE })
  @IsInt({ message: METRICS_PORT_MESSAGE })
  WORKER_METRICS_PORT?: number;

  /** Names of environment variables that templates may read as `env.NAME`. */
  @Transform(splitList)
  @IsString({ each: true })
  CASEFLOW_ENV_ALLOW: string[] = [];

  /** Hosts or CIDRs that http/webhook steps may call even when private or loopback. */
  @Transform(splitList)
  @IsString({ each: true })
  CASEFLOW_OUTBOUND_ALLOW: string[] = [];

  /** How often each worker sweeps for steps PostgreSQL holds pending but Redis lost, in ms. */
  @Transform(({ value }) => (value === undefined || value === '' ? 30_000 : Number(value)))
  @Min(1000)
  @Max(3_600_000)
  @IsInt({ message: 'CASEFLOW_RECONCILE_INTERVAL_MS must be a whole number of milliseconds (1000 or more)' })
  CASEFLOW_RECONCILE_INTERVAL_MS = 30_000;

  /** Requests a minute that one API key may make (each API process counts its own); 0 turns limiting off. */
  @Transform(({ value }) => (value === undefined || value === '' ? 1200 : Number(value)))
  @Min(0)
  @Max(1_000_000)
  @IsInt({ message: 'CASEFLOW_RATE_LIMIT must be a whole number of requests a minute (0 = no limit)' })
  CASEFLOW_RATE_LIMIT = 1200;

  /** Largest accepted request body, in bytes or with a unit (`1mb`). */
  @Matches(/^\d+(b|kb|mb)?$/i, { message: 'CASEFLOW_BODY_LIMIT must be a size such as 1mb or 500kb' })
  CASEFLOW_BODY_LIMIT = '1mb';

  /** Folder of definitions published at start-up into the `default` organization. */
  @IsString()
  CASEFLOW_WORKFLOWS_DIR = 'workflows';

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL = 'info';
}

export class ConfigError extends Error {}

/** Reads and validates the environment; throws one readable error listing every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): CaseflowConfig {
  const known = Object.keys(new CaseflowConfig()).concat(['DATABASE_URL', 'REDIS_URL', 'CASEFLOW_ADMIN_KEY']);
  const raw: Record<string, unknown> = {};
  for (const name of known) if (env[name] !== undefined && env[name] !== '') raw[name] = env[name];
  const config = plainToInstance(CaseflowConfig, raw);
  const errors = validateSync(config, { whitelist: true, stopAtFirstError: true });
  if (errors.length > 0) {
    const lines = errors.flatMap((error) => Object.values(error.constraints ?? {}).map((text) => `  - ${error.property}: ${text}`));
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  return config;
}
