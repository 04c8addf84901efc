import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { HEAP_BUDGET_FLAG } from '../../../scripts/chaos/chaos-fleet';

const ROOT = join(__dirname, '..', '..', '..');
const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');

/** The bench and chaos runs start the apps as the product's own start commands do. */
describe('the heap budget', () => {
  it('is given to Node by every command that starts an app', () => {
    const { scripts } = JSON.parse(read('package.json')) as { scripts: Record<string, string> };
    const starts = [scripts.start, scripts['start:api'], scripts['start:worker']];
    const compose = read('docker-compose.yml').split('\n').filter((line) => /command: \["node"/.test(line));
    const docker = read('Dockerfile').split('\n').filter((line) => line.startsWith('CMD ["node"'));
    expect(compose).toHaveLength(2);
    expect(docker).toHaveLength(1);
    for (const command of [...starts, ...compose, ...docker]) expect(command).toContain(HEAP_BUDGET_FLAG);
  });
});
