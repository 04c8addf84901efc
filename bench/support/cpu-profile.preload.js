/**
 * `npm run bench -- --cpu-prof`: loaded into the worker with NODE_OPTIONS=--require (node refuses
 * --cpu-prof there). Profiles the whole process and writes the profile to BENCH_CPU_PROFILE when
 * SIGTERM arrives, before Nest's own shutdown hook re-raises the signal (which would end the
 * process before --cpu-prof could write anything). The same-thread inspector session answers
 * synchronously, so the file is complete when the handler returns.
 */
'use strict';
const inspector = require('node:inspector');
const { writeFileSync } = require('node:fs');

const target = process.env.BENCH_CPU_PROFILE;
if (target) {
  const session = new inspector.Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.start');
  let written = false;
  const write = () => {
    if (written) return;
    written = true;
    session.post('Profiler.stop', (error, result) => {
      if (!error) writeFileSync(target, JSON.stringify(result.profile));
    });
  };
  // Nest re-raises SIGTERM once its hooks have run; this listener must then step aside, or the
  // re-raised signal would find a listener and the process would not end.
  let signals = 0;
  const onSigterm = () => {
    write();
    if (++signals > 1) {
      process.removeListener('SIGTERM', onSigterm);
      process.kill(process.pid, 'SIGTERM');
    }
  };
  process.on('SIGTERM', onSigterm);
  process.on('exit', write);
}
