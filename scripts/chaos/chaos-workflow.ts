/**
 * The workflow the chaos run loads: five `case.updateStatus` steps over three states that walk a
 * status set of its own, so every step has a distinct effect that can be checked in the audit
 * trail (one `status_changed` event to that status, exactly once).
 */
export const CHAOS_STATUS_SET = 'chaos';
export const CHAOS_WORKFLOW_KEY = 'chaos-walk';
export const CHAOS_CASE_TYPE = 'chaos';

export const CHAOS_STATUSES = [
  { key: 'chaos_new', label: 'New', category: 'open' },
  { key: 'chaos_intake', label: 'Intake', category: 'pending' },
  { key: 'chaos_screening', label: 'Screening', category: 'pending' },
  { key: 'chaos_checks', label: 'Checks', category: 'pending' },
  { key: 'chaos_review', label: 'Review', category: 'pending' },
  { key: 'chaos_cleared', label: 'Cleared', category: 'approved', terminal: true },
] as const;

/** What a completed run leaves in the audit trail: these transitions, in this order, once each. */
export const EXPECTED_EFFECTS: Array<{ from: string; to: string }> = CHAOS_STATUSES.slice(1).map((status, index) => ({
  from: CHAOS_STATUSES[index].key,
  to: status.key,
}));

const step = (id: string, status: string) => ({ id, action: 'case.updateStatus', params: { status, reason: `chaos step ${id}` } });

export const CHAOS_WORKFLOW = {
  key: CHAOS_WORKFLOW_KEY,
  name: 'Chaos walk',
  description: 'Five status changes over three states; loaded by npm run chaos.',
  caseType: CHAOS_CASE_TYPE,
  statusSet: CHAOS_STATUS_SET,
  initial: 'intake',
  states: {
    intake: { steps: [step('intake', 'chaos_intake'), step('screening', 'chaos_screening')], next: 'checks' },
    checks: { steps: [step('checks', 'chaos_checks'), step('review', 'chaos_review')], next: 'decision' },
    decision: { type: 'final', steps: [step('clear', 'chaos_cleared')] },
  },
};

export const EXPECTED_STEP_IDS = ['intake', 'screening', 'checks', 'review', 'clear'];
