import type { WorkflowDefinition } from '../definition.types';

/** The KYB onboarding example of SPEC §2, verbatim. Tests clone it before changing it. */
export function kybDefinition(): WorkflowDefinition {
  return {
    key: 'kyb-onboarding',
    name: 'KYB onboarding',
    caseType: 'kyb',
    statusSet: 'kyb',
    initial: 'collection',
    states: {
      collection: {
        steps: [{ id: 'mark', action: 'case.updateStatus', params: { status: 'collection_flow' } }],
        on: { COLLECTION_COMPLETED: 'processing' },
      },
      processing: {
        steps: [
          { id: 'pending', action: 'case.updateStatus', params: { status: 'pending_process' } },
          {
            id: 'registry',
            action: 'http.request',
            params: {
              method: 'GET',
              url: '{{ env.REGISTRY_URL }}/companies/{{ case.data.company.number }}',
              saveAs: 'registry',
            },
            retry: { maxAttempts: 3, backoff: { type: 'exponential', delayMs: 200 } },
            continueOnError: true,
          },
        ],
        next: 'review',
      },
      review: {
        steps: [{ id: 'to-review', action: 'case.updateStatus', params: { status: 'manual_review' } }],
        on: {
          CASE_APPROVED: 'approved',
          CASE_REJECTED: 'rejected',
          RISK_CHANGED: { target: 'escalated', guard: { '>': [{ var: 'case.data.riskScore' }, 80] } },
        },
      },
      escalated: {
        steps: [{ id: 'esc', action: 'case.assign', params: { queue: 'senior-review' } }],
        on: { CASE_APPROVED: 'approved', CASE_REJECTED: 'rejected' },
      },
      approved: {
        type: 'final',
        steps: [{ id: 'notify', action: 'webhook.send', params: { url: '{{ env.CRM_WEBHOOK }}' } }],
      },
      rejected: { type: 'final' },
    },
  };
}
