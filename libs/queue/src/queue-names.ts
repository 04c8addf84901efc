/**
 * Queue and job names. DO NOT RENAME: they are keys in Redis, and jobs already queued under an
 * old name would never be processed.
 */
export enum QueueName {
  Steps = 'steps',
}

export enum JobName {
  ExecuteStep = 'step.execute',
}
