import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { E2eClient, expectError } from '../support/e2e-client';
import { startTestApp, TestApp } from '../support/test-app';

/**
 * A reviewer's day on a KYB case, over HTTP, with the shipped kyb-onboarding workflow: the status
 * decides which actions are offered, blocks are decided one by one, re-uploads are asked for all
 * at once, the run follows the reviewer's decisions, and the audit trail keeps the whole path.
 */
describe('case review of a KYB case (HTTP)', () => {
  let testApp: TestApp;
  let pipeline: E2eClient;
  let reviewer: E2eClient;
  let caseId: string;
  let runId: string;

  const definition = JSON.parse(readFileSync(join(__dirname, '../../workflows/kyb-onboarding.json'), 'utf8'));
  const getCase = async () => (await reviewer.get(`/v1/cases/${caseId}`)).body;

  beforeAll(async () => {
    testApp = await startTestApp('case-review');
    const author = await E2eClient.issue(testApp, 'author');
    pipeline = await E2eClient.issue(testApp, 'pipeline');
    reviewer = await E2eClient.issue(testApp, 'reviewer');
    expect((await author.post('/v1/workflows', definition)).status).toBe(201);
    const created = await pipeline.post('/v1/cases', {
      type: 'kyb',
      workflow: 'kyb-onboarding',
      data: { company: { name: 'Acme Trading Ltd', number: '01234567', country: 'HK' } },
      blocks: [
        { key: 'incorporation', type: 'document', title: 'Certificate of incorporation', data: { file: 'inc.pdf' } },
        { key: 'registry', type: 'registry_data', title: 'Companies registry', data: { status: 'active' } },
        { key: 'director', type: 'kyc', title: 'Director ID check', data: { result: 'clear' } },
        { key: 'contact', type: 'user_data', title: 'Contact details', data: { email: 'ops@acme.example' } },
      ],
    });
    expect(created.status).toBe(201);
    caseId = created.body.id;
    runId = created.body.runs[0].id;
    await pipeline.settled(runId);
  });

  afterAll(async () => {
    await testApp?.close();
  });

  it('offers no action while documents are being collected, and refuses an early approval', async () => {
    const found = await reviewer.get(`/v1/cases/${caseId}`);
    expect(found.body).toMatchObject({ status: 'collection_flow', statusSet: 'kyb', availableActions: [], workflow: 'kyb-onboarding' });
    expect(found.headers.etag).toBe(`"${found.body.version}"`);
    const early = await reviewer.post(`/v1/cases/${caseId}/actions/approve`, { reason: 'looks fine' });
    expectError(early, 409, 'ACTION_NOT_AVAILABLE');
    expect(early.body.error.details).toEqual({ status: 'collection_flow', availableActions: [] });
  });

  it('offers all three actions in manual review once the run got there', async () => {
    expect((await pipeline.post(`/v1/runs/${runId}/events`, { type: 'COLLECTION_COMPLETED' })).status).toBe(200);
    const run = await pipeline.settled(runId);
    expect(run).toMatchObject({ status: 'waiting', state: 'review' });
    expect(await getCase()).toMatchObject({ status: 'manual_review', availableActions: ['approve', 'reject', 'request_reuploads'] });
  });

  it('keeps registry data read-only and decides documents one by one', async () => {
    expectError(await reviewer.patch(`/v1/cases/${caseId}/blocks/registry`, { data: { status: 'dissolved' } }), 409, 'BLOCK_READ_ONLY');
    expectError(await reviewer.post(`/v1/cases/${caseId}/blocks/registry/actions/approve`, {}), 409, 'BLOCK_ACTION_NOT_AVAILABLE');
    expectError(await reviewer.post(`/v1/cases/${caseId}/blocks/nope/actions/approve`, {}), 404, 'BLOCK_NOT_FOUND');
    expectError(await reviewer.post(`/v1/cases/${caseId}/blocks/director/actions/shred`, {}), 400);

    const edited = await reviewer.patch(`/v1/cases/${caseId}/blocks/contact`, { data: { email: 'compliance@acme.example' } });
    expect(edited.status).toBe(200);
    expect(edited.body.blocks.find((block: { key: string }) => block.key === 'contact').data).toEqual({ email: 'compliance@acme.example' });

    const approved = await reviewer.post(`/v1/cases/${caseId}/blocks/director/actions/approve`, { reason: 'ID matches' });
    expect(approved.status).toBe(200);
    const flagged = await reviewer.post(`/v1/cases/${caseId}/blocks/incorporation/actions/request_reupload`, { reason: 'scan is cut off' });
    expect(flagged.status).toBe(200);
    const blocks = Object.fromEntries(flagged.body.blocks.map((block: { key: string }) => [block.key, block]));
    expect(blocks.director).toMatchObject({ status: 'approved', decision: { action: 'approve', by: `key:${reviewer.keyId}`, reason: 'ID matches', at: expect.any(String) } });
    expect(blocks.incorporation).toMatchObject({ status: 'reupload_needed', decision: { action: 'request_reupload', reason: 'scan is cut off' } });
    expect(blocks.registry.status).toBeNull();
  });

  it('asks for all re-uploads at once: one block covered, the case in revisions where only reject is offered', async () => {
    const response = await reviewer.post(`/v1/cases/${caseId}/actions/request_reuploads`, { reason: 'incorporation certificate unreadable' });
    expect(response.status).toBe(200);
    expect(response.body.decision).toEqual({ caseId, action: 'request_reuploads', from: 'manual_review', to: 'revisions', reuploadsRequested: 1 });
    expect(response.body.run).toEqual({ id: runId, event: 'REUPLOADS_REQUESTED', accepted: true });
    expect(response.body.case).toMatchObject({ status: 'revisions', availableActions: ['reject'] });
    const incorporation = response.body.case.blocks.find((block: { key: string }) => block.key === 'incorporation');
    expect(incorporation.status).toBe('pending_reupload');
    expect((await pipeline.settled(runId)).state).toBe('revisions');
    expectError(await reviewer.post(`/v1/cases/${caseId}/actions/approve`, {}), 409, 'ACTION_NOT_AVAILABLE');
  });

  it('moves the run on from the reviewer\'s decision, and the block decisions stay', async () => {
    const rejected = await reviewer.post(`/v1/cases/${caseId}/actions/reject`, { reason: 'documents never re-uploaded' });
    expect(rejected.status).toBe(200);
    expect(rejected.body.run).toEqual({ id: runId, event: 'CASE_REJECTED', accepted: true });
    const run = await pipeline.settled(runId);
    expect(run).toMatchObject({ status: 'completed', state: 'rejected' });
    const finalCase = await getCase();
    expect(finalCase).toMatchObject({ status: 'rejected', availableActions: [] });
    expect(finalCase.blocks.find((block: { key: string }) => block.key === 'director').status).toBe('approved');
  });

  it('keeps the whole path in the audit trail, in order, with actors and reasons', async () => {
    const events = (await reviewer.get(`/v1/cases/${caseId}/events?limit=200`)).body.items;
    const reviewerActor = `key:${reviewer.keyId}`;
    const step = (id: string) => `run:${runId}/step:${id}`;
    expect(events.map(({ type, actor, source, from, to, reason, block }: Record<string, unknown>) => ({ type, actor, source, from, to, reason, block }))).toEqual([
      { type: 'case_created', actor: `key:${pipeline.keyId}`, source: 'pipeline', from: null, to: 'collection_flow', reason: null, block: null },
      { type: 'status_changed', actor: step('mark-processing'), source: 'workflow', from: 'collection_flow', to: 'pending_process', reason: 'documents received', block: null },
      { type: 'status_changed', actor: step('to-review'), source: 'workflow', from: 'pending_process', to: 'manual_review', reason: 'ready for a reviewer', block: null },
      { type: 'block_edited', actor: reviewerActor, source: 'reviewer', from: expect.stringContaining('ops@acme.example'), to: expect.stringContaining('compliance@acme.example'), reason: null, block: 'contact' },
      { type: 'block_decided', actor: reviewerActor, source: 'reviewer', from: null, to: 'approved', reason: 'ID matches', block: 'director' },
      { type: 'block_decided', actor: reviewerActor, source: 'reviewer', from: null, to: 'reupload_needed', reason: 'scan is cut off', block: 'incorporation' },
      { type: 'block_status_changed', actor: reviewerActor, source: 'reviewer', from: 'reupload_needed', to: 'pending_reupload', reason: null, block: 'incorporation' },
      { type: 'reuploads_requested', actor: reviewerActor, source: 'reviewer', from: 'manual_review', to: 'revisions', reason: 'incorporation certificate unreadable', block: null },
      { type: 'case_rejected', actor: reviewerActor, source: 'reviewer', from: 'revisions', to: 'rejected', reason: 'documents never re-uploaded', block: null },
    ]);
  });
});
