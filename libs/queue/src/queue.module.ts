import { BullModule } from '@nestjs/bullmq';
import { Global, Module } from '@nestjs/common';
import { CaseflowConfig } from '@app/common';
import { BullmqStepQueue } from './bullmq-step-queue';
import { resolveRedisUrl } from './local-redis.util';
import { QueueName } from './queue-names';
import { redisOptionsFromUrl } from './redis-options.util';
import { warnUnlessNoEviction } from './redis-policy.util';
import { StepQueue } from './step-queue';

@Global()
@Module({
  imports: [
    BullModule.forRootAsync({
      inject: [CaseflowConfig],
      useFactory: async (config: CaseflowConfig) => {
        const url = await resolveRedisUrl(config.REDIS_URL);
        await warnUnlessNoEviction(url);
        return { connection: redisOptionsFromUrl(url), prefix: config.CASEFLOW_QUEUE_PREFIX };
      },
    }),
    BullModule.registerQueue({ name: QueueName.Steps }),
  ],
  providers: [{ provide: StepQueue, useClass: BullmqStepQueue }],
  exports: [StepQueue, BullModule],
})
export class QueueModule {}
