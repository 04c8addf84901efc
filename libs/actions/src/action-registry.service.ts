import { Injectable, OnModuleInit } from '@nestjs/common';
import { DiscoveryService, Reflector } from '@nestjs/core';
import type { ActionDescriptor } from '@app/workflow-core';
import { WORKFLOW_ACTION } from './workflow-action.decorator';
import type { WorkflowAction } from './workflow-action.interface';

/** Every action of the process, by name. Two actions with one name stop the start-up. */
@Injectable()
export class ActionRegistry implements OnModuleInit {
  private readonly actions = new Map<string, WorkflowAction>();
  private descriptorsCache?: ReadonlyMap<string, ActionDescriptor>;

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly reflector: Reflector,
  ) {}

  onModuleInit(): void {
    for (const wrapper of this.discovery.getProviders()) {
      const { instance, metatype } = wrapper;
      if (!instance || !metatype || !this.reflector.get(WORKFLOW_ACTION, metatype)) continue;
      this.register(instance as WorkflowAction);
    }
  }

  register(action: WorkflowAction): void {
    if (this.actions.has(action.name)) {
      throw new Error(`Two workflow actions are registered as "${action.name}": action names must be unique.`);
    }
    this.actions.set(action.name, action);
    this.descriptorsCache = undefined;
  }

  get(name: string): WorkflowAction | undefined {
    return this.actions.get(name);
  }

  names(): string[] {
    return [...this.actions.keys()].sort();
  }

  /** What the definition validator needs to know of each action. */
  descriptors(): ReadonlyMap<string, ActionDescriptor> {
    this.descriptorsCache ??= new Map(
      [...this.actions.values()].map((action) => [
        action.name,
        { name: action.name, paramsSchema: action.paramsSchema, statusParams: action.statusParams },
      ]),
    );
    return this.descriptorsCache;
  }
}
