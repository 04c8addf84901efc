/**
 * Runs a process's bootstrap and turns a start-up failure (bad config, database or Redis not
 * reachable, an invalid definition in workflows/) into one readable message and exit code 1.
 */
export function runMain(name: string, bootstrap: () => Promise<unknown>): void {
  bootstrap().catch((error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`\n${name} could not start:\n${message}\n\n`);
    if (process.env.LOG_LEVEL === 'debug' && error instanceof Error) process.stderr.write(`${error.stack}\n`);
    process.exit(1);
  });
}
