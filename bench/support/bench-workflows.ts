/**
 * What the bench publishes: one status set, a workflow of ten `case.updateStatus` steps (the
 * engine's throughput) and a waiting workflow whose events each set a status (the latency).
 * Every step moves the case to a status it is not in, so each one writes an audit event.
 */
export const BENCH_STATUS_SET = 'bench';
export const BENCH_CASE_TYPE = 'bench';
export const TEN_STEPS_KEY = 'bench-ten-steps';
export const LATENCY_KEY = 'bench-latency';
export const LATENCY_EVENT = 'GO';

/** s1..s10 are the ten steps' targets; ping and pong alternate in the latency runs and raw sections. */
export const STEP_STATUSES = Array.from({ length: 10 }, (_, i) => `bench_s${i + 1}`);
export const PING = 'bench_ping';
export const PONG = 'bench_pong';

export const BENCH_STATUSES = [
  { key: 'bench_new', label: 'New', category: 'open', initial: true },
  ...STEP_STATUSES.map((key, i) => ({ key, label: `Step ${i + 1}`, category: 'pending' })),
  { key: PING, label: 'Ping', category: 'pending' },
  { key: PONG, label: 'Pong', category: 'pending' },
];

const step = (n: number) => ({ id: `step-${n}`, action: 'case.updateStatus', params: { status: STEP_STATUSES[n - 1], reason: `bench step ${n}` } });

/** Five states of two steps each, so the runs also take state transitions, as real workflows do. */
export const TEN_STEPS_WORKFLOW = {
  key: TEN_STEPS_KEY,
  name: 'Bench: ten status changes',
  description: 'Ten case.updateStatus steps over five states; loaded by npm run bench.',
  caseType: BENCH_CASE_TYPE,
  statusSet: BENCH_STATUS_SET,
  initial: 'a',
  states: {
    a: { steps: [step(1), step(2)], next: 'b' },
    b: { steps: [step(3), step(4)], next: 'c' },
    c: { steps: [step(5), step(6)], next: 'd' },
    d: { steps: [step(7), step(8)], next: 'e' },
    e: { type: 'final', steps: [step(9), step(10)] },
  },
};

/** Waits for GO, sets ping; waits for GO, sets pong; and so on: one run takes many events. */
export const LATENCY_WORKFLOW = {
  key: LATENCY_KEY,
  name: 'Bench: event to status',
  description: 'Each GO event runs one case.updateStatus step; loaded by npm run bench.',
  caseType: BENCH_CASE_TYPE,
  statusSet: BENCH_STATUS_SET,
  initial: 'idle',
  states: {
    idle: { on: { [LATENCY_EVENT]: 'ping' } },
    ping: { steps: [{ id: 'ping', action: 'case.updateStatus', params: { status: PING, reason: 'bench event' } }], on: { [LATENCY_EVENT]: 'pong' } },
    pong: { steps: [{ id: 'pong', action: 'case.updateStatus', params: { status: PONG, reason: 'bench event' } }], on: { [LATENCY_EVENT]: 'ping' } },
  },
};
