import { InjectQueue } from '@nestjs/bullmq';
import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import { HealthCheck, HealthCheckService, HealthIndicatorService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { Queue } from 'bullmq';
import { jobCountsWithin, QueueName } from '@app/queue';
import { Public } from '../auth/roles.decorator';
import { ApiErrors } from '../openapi/api-errors.decorator';
import { LivenessResponse, ReadinessResponse } from './dto/health.response';

/** As long as the PostgreSQL ping may take. */
const REDIS_TIMEOUT_MS = 2000;

@ApiTags('health')
@Public()
@SkipThrottle()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: TypeOrmHealthIndicator,
    private readonly indicators: HealthIndicatorService,
    @InjectQueue(QueueName.Steps) private readonly steps: Queue,
  ) {}

  /** Liveness: the process answers. */
  @Get()
  @ApiOperation({ summary: 'Liveness: the process answers' })
  @ApiOkResponse({ type: LivenessResponse })
  live() {
    return { status: 'ok' };
  }

  /** Readiness: PostgreSQL and Redis both answer. */
  @Get('ready')
  // Terminus's own swagger documentation describes its 503 body, but the error filter turns that
  // exception into the common envelope, so the responses are documented here instead.
  @HealthCheck({ noCache: true, swaggerDocumentation: false })
  @ApiOperation({ summary: 'Readiness: PostgreSQL and Redis both answer' })
  @ApiOkResponse({ type: ReadinessResponse })
  @ApiErrors({ 503: ['SERVICE_UNAVAILABLE (PostgreSQL or Redis does not answer)'] })
  ready() {
    return this.health.check([() => this.database.pingCheck('postgres', { timeout: 2000 }), () => this.redisCheck()]);
  }

  private async redisCheck() {
    const indicator = this.indicators.check('redis');
    try {
      // A real round trip through the queue's own connection, which would wait out a Redis outage.
      await jobCountsWithin(this.steps, REDIS_TIMEOUT_MS, 'waiting');
      return indicator.up();
    } catch (error) {
      return indicator.down({ message: (error as Error).message });
    }
  }
}
