import { CaseUpdateStatusAction } from './case-update-status.action';

/** The actions every Caseflow process registers. */
export const BUILT_IN_ACTIONS = [CaseUpdateStatusAction];

export { CaseUpdateStatusAction };
