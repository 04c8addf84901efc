/**
 * Stops child servers (the embedded PostgreSQL, a local Redis) when the process ends, without
 * taking the ending over. Signals are left to anyone else listening (Nest's shutdown hooks close
 * the app, then re-raise the signal or call process.exit); once only hooks made here remain, the
 * children are stopped and the last hook re-raises the signal, so the process still dies of it.
 */
const HOOK = Symbol.for('caseflow.shutdown-hook');
const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

export interface ChildShutdown {
  /** Stops the children; awaited on a signal. */
  stop(): Promise<void>;
  /** Stops them from an 'exit' handler, which cannot await. */
  stopSync(): void;
}

export interface ShutdownHooks {
  install(): void;
  remove(): void;
}

export function childShutdownHooks(children: ChildShutdown): ShutdownHooks {
  let signalled = false;
  const onSignal = Object.assign(
    (signal: NodeJS.Signals) => {
      if (signalled || process.listeners(signal).some((listener) => !(HOOK in listener))) return;
      signalled = true;
      void children.stop().finally(() => {
        signalled = false;
        hooks.remove();
        if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
      });
    },
    { [HOOK]: true },
  );
  const onExit = Object.assign(() => children.stopSync(), { [HOOK]: true });
  const hooks: ShutdownHooks = {
    install() {
      if (process.listeners('exit').includes(onExit)) return;
      process.on('exit', onExit);
      for (const signal of SIGNALS) process.on(signal, onSignal);
    },
    remove() {
      process.removeListener('exit', onExit);
      for (const signal of SIGNALS) process.removeListener(signal, onSignal);
    },
  };
  return hooks;
}
