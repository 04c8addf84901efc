/** Definitions several suites publish: small, and walking the built-in `default` status set. */

/** Two status changes in a row, then done: each step leaves one distinct, countable effect. */
export const twoStepWorkflow = {
  key: 'two-steps',
  name: 'two steps',
  initial: 'work',
  states: {
    work: {
      steps: [
        { id: 'first', action: 'case.updateStatus', params: { status: 'pending', reason: 'first' } },
        { id: 'second', action: 'case.updateStatus', params: { status: 'approved', reason: 'second' } },
      ],
      next: 'done',
    },
    done: { type: 'final' },
  },
};
