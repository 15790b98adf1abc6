import type { Admin } from 'kafkajs';
import type { TopicNames } from '../../infra/kafka/topics.ts';
import type { Logger } from '../../infra/logger.ts';
import {
  type DatabaseRoles,
  dropReadModels,
  migrate,
  migrateWriteSide,
  type Pool,
} from '../../infra/postgres.ts';
import { PROJECTIONS } from '../catalog.ts';
import { deadLetterConsumer } from './runner.ts';

export interface RebuildDeps {
  database: DatabaseRoles;
  pool: Pool;
  admin: Admin;
  topics: TopicNames;
  logger: Logger;
}

export interface Rebuilt {
  /** The read-model objects dropped, schema-qualified. */
  dropped: string[];
  /** The projections' consumer groups deleted, so they start again at the beginning of the log. */
  groups: string[];
}

/** Each projection's consumer group, as the projection runner names it. */
export const projectionGroups = (topics: TopicNames) =>
  PROJECTIONS.map((projection) => topics.consumerGroup(deadLetterConsumer(projection)));

/** Kafka's states of a consumer group that no running consumer is a member of. */
const UNATTENDED = new Set(['Empty', 'Dead']);

/**
 * Drops every read model so the next start folds them again from offset 0 of the log; the write
 * side's state is kept. Only while docstream is stopped: it refuses while any projection's
 * consumer group has a member, and Kafka refuses to delete a group that has gained one since.
 */
export async function rebuildReadModels(deps: RebuildDeps): Promise<Rebuilt> {
  // In a database made before the write side had a schema of its own its tables are still among
  // the read models; this moves them out of the way first.
  await migrateWriteSide(deps.database.url, deps.logger);
  const groups = await releaseProjectionGroups(deps.admin, deps.topics);
  const dropped = await dropReadModels(deps.pool);
  await migrate(deps.database, deps.logger);
  return { dropped, groups };
}

/**
 * Deletes the projections' consumer groups. A projection resumes at its group's committed offset;
 * without the group it starts at the beginning of the log, which the emptied checkpoints expect.
 */
async function releaseProjectionGroups(admin: Admin, topics: TopicNames): Promise<string[]> {
  const { groups } = await admin.describeGroups(projectionGroups(topics));
  const attended = groups.filter((g) => !UNATTENDED.has(g.state));
  if (attended.length > 0) {
    const names = attended.map((g) => `${g.groupId} (${g.state})`).join(', ');
    throw new Error(`docstream is running: stop it before rebuilding the read models (${names})`);
  }
  const committed = groups.filter((g) => g.state === 'Empty').map((g) => g.groupId);
  if (committed.length > 0) await admin.deleteGroups(committed);
  return committed;
}
