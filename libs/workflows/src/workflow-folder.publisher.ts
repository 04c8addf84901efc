import { Injectable, Logger } from '@nestjs/common';
import { readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { UnprocessableError } from '@app/common';
import { WorkflowsService } from './workflows.service';

/** Publishes the definitions of a folder (`workflows/`), adding a version only when a file changed. */
@Injectable()
export class WorkflowFolderPublisher {
  private readonly logger = new Logger(WorkflowFolderPublisher.name);

  constructor(private readonly workflows: WorkflowsService) {}

  async publishFolder(organizationId: string, folder: string): Promise<Array<{ file: string; key: string; version: number; created: boolean }>> {
    const dir = resolve(folder);
    const files = (await readdir(dir).catch(() => [] as string[])).filter((file) => file.endsWith('.json')).sort();
    const published = [];
    for (const file of files) {
      let definition: unknown;
      try {
        definition = JSON.parse(await readFile(join(dir, file), 'utf8'));
      } catch (error) {
        throw new Error(`${join(folder, file)} is not valid JSON: ${(error as Error).message}`);
      }
      try {
        const result = await this.workflows.publish(organizationId, definition, `file:${file}`, { onlyIfChanged: true });
        published.push({ file, ...result });
      } catch (error) {
        if (error instanceof UnprocessableError && Array.isArray(error.details?.problems)) {
          const problems = (error.details.problems as Array<{ path: string; message: string }>).map((p) => `  ${p.path || '/'}: ${p.message}`);
          throw new Error(`${join(folder, file)} is not a valid workflow definition:\n${problems.join('\n')}`);
        }
        throw error;
      }
    }
    const created = published.filter((item) => item.created);
    this.logger.log(
      `Published ${files.length} definition(s) from ${folder}/: ${created.length} new version(s)` +
        (created.length ? ` (${created.map((item) => `${item.key}@${item.version}`).join(', ')})` : ''),
    );
    return published;
  }
}
