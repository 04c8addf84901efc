import type { CaseAction } from './status-set.entity';
import type { StatusCategory } from './status.entity';

export interface StatusSeed {
  key: string;
  label: string;
  category: StatusCategory;
  terminal?: boolean;
  initial?: boolean;
  actions?: CaseAction[];
}

export interface StatusSetSeed {
  key: string;
  label: string;
  actionTargets: Record<CaseAction, string>;
  statuses: StatusSeed[];
}

/** The sets every organization starts with (SPEC §5). Their keys are part of the public contract. */
export const BUILT_IN_STATUS_SETS: StatusSetSeed[] = [
  {
    key: 'default',
    label: 'Default',
    actionTargets: { approve: 'approved', reject: 'declined', request_reuploads: 'pending' },
    statuses: [
      { key: 'open', label: 'Open', category: 'open', initial: true },
      { key: 'pending', label: 'Pending', category: 'pending', actions: ['approve', 'reject', 'request_reuploads'] },
      { key: 'approved', label: 'Approved', category: 'approved', terminal: true },
      { key: 'declined', label: 'Declined', category: 'declined', terminal: true },
    ],
  },
  {
    key: 'kyb',
    label: 'KYB onboarding',
    actionTargets: { approve: 'approved', reject: 'rejected', request_reuploads: 'revisions' },
    statuses: [
      { key: 'collection_flow', label: 'Collection flow', category: 'open', initial: true },
      { key: 'pending_process', label: 'Pending process', category: 'pending', actions: ['reject', 'request_reuploads'] },
      {
        key: 'pending_id_verification',
        label: 'Pending ID verification',
        category: 'pending',
        actions: ['reject', 'request_reuploads'],
      },
      { key: 'manual_review', label: 'Manual review', category: 'pending', actions: ['approve', 'reject', 'request_reuploads'] },
      { key: 'revisions', label: 'Revisions', category: 'pending', actions: ['reject'] },
      { key: 'approved', label: 'Approved', category: 'approved', terminal: true },
      { key: 'rejected', label: 'Rejected', category: 'declined', terminal: true },
    ],
  },
];
