import { CaseAddTagAction } from './case-add-tag.action';
import { CaseAssignAction } from './case-assign.action';
import { CasePutBlockAction } from './case-put-block.action';
import { CaseUpdateStatusAction } from './case-update-status.action';

/** The actions every Caseflow process registers. */
export const BUILT_IN_ACTIONS = [CaseUpdateStatusAction, CaseAssignAction, CaseAddTagAction, CasePutBlockAction];

export { CaseAddTagAction, CaseAssignAction, CasePutBlockAction, CaseUpdateStatusAction };
