/** Definitions several suites publish, on the built-in status sets. */

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

/** A KYB definition on the built-in `kyb` set that uses only `case.updateStatus` (SPEC §2 and §5). */
export function kybDefinition(key: string, extra: { name?: string } = {}) {
  return {
    key,
    name: extra.name ?? 'KYB onboarding',
    caseType: 'kyb',
    statusSet: 'kyb',
    initial: 'collection',
    states: {
      collection: {
        steps: [{ id: 'mark', action: 'case.updateStatus', params: { status: 'collection_flow' } }],
        on: { COLLECTION_COMPLETED: 'processing' },
      },
      processing: {
        steps: [{ id: 'pending', action: 'case.updateStatus', params: { status: 'pending_process', reason: 'collection completed' } }],
        next: 'review',
      },
      review: {
        steps: [{ id: 'to-review', action: 'case.updateStatus', params: { status: 'manual_review', reason: 'needs a reviewer' } }],
        on: { CASE_APPROVED: 'approved', CASE_REJECTED: 'rejected' },
      },
      approved: {
        type: 'final',
        steps: [{ id: 'approve', action: 'case.updateStatus', params: { status: 'approved', reason: '{{ event.payload.reason }}' } }],
      },
      rejected: {
        type: 'final',
        steps: [{ id: 'reject', action: 'case.updateStatus', params: { status: 'rejected', reason: '{{ event.payload.reason }}' } }],
      },
    },
  };
}
