import { spawn } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { loadConfig } from '../../infra/config.ts';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const STACK = path.join(REPO, 'infra/stack/stack.sh');

export interface ClusterOptions {
  /** Where the cluster keeps its nodes' storage, pid files and logs. */
  dataDir: string;
  /** The first node's port; the others follow it, their controllers from base + 10. */
  portBase: number;
  nodes?: number;
  /** Delete the data directory when the cluster stops. */
  removeOnStop?: boolean;
}

export interface Cluster {
  readonly nodes: number;
  /** KAFKA_BROKERS, TOPIC_REPLICATION_FACTOR and TOPIC_MIN_INSYNC_REPLICAS for docstream. */
  readonly env: Record<string, string>;
  /** SIGKILLs node `node` (1-based) and resolves once it is gone. */
  kill(node: number): Promise<void>;
  /** Starts whichever nodes do not run, and resolves once every node answers. */
  up(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A Kafka cluster of `nodes` KRaft nodes beside the stack (`stack.sh up --brokers N` with its own
 * data directory, ports and database), sharing the stack's registry and PostgreSQL.
 */
export async function startCluster(options: ClusterOptions): Promise<Cluster> {
  const { dataDir, portBase, nodes = 3 } = options;
  const database = `docstream_cluster_${portBase}`;
  const base = new URL(loadConfig().database.url);
  const databaseUrl = new URL(base);
  databaseUrl.pathname = `/${database}`;
  const stackEnv = {
    DOCSTREAM_DATA_DIR: dataDir,
    STACK_DIST_DIR: process.env.STACK_DIST_DIR ?? path.join(REPO, '.data/dist'),
    KAFKA_BROKERS: `127.0.0.1:${portBase}`,
    // Only a new cluster's database is emptied: this one, never the stack's.
    DATABASE_URL: databaseUrl.toString(),
    STACK_KEYCLOAK: '0',
  };
  const stack = (command: 'up' | 'down') =>
    new Promise<void>((resolve, reject) => {
      const child = spawn('bash', [STACK, command, '--brokers', String(nodes)], {
        env: { ...process.env, ...stackEnv },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
      });
      child.stderr.on('data', (chunk: Buffer) => {
        output += chunk.toString();
      });
      child.once('exit', (code) =>
        code === 0
          ? resolve()
          : reject(new Error(`stack.sh ${command} exited ${code}:\n${output}`)),
      );
    });
  const pidOf = async (node: number) =>
    Number(await readFile(path.join(dataDir, 'run', `kafka-${node}.pid`), 'utf8'));
  const gone = (pid: number) => {
    try {
      process.kill(pid, 0);
      return false;
    } catch {
      return true;
    }
  };

  await stack('up');
  const brokers = Array.from({ length: nodes }, (_, i) => `127.0.0.1:${portBase + i}`);
  return {
    nodes,
    env: {
      KAFKA_BROKERS: brokers.join(','),
      TOPIC_REPLICATION_FACTOR: String(Math.min(nodes, 3)),
      TOPIC_MIN_INSYNC_REPLICAS: String(Math.max(1, Math.min(nodes, 3) - 1)),
    },
    async kill(node) {
      const pid = await pidOf(node);
      process.kill(pid, 'SIGKILL');
      const deadline = Date.now() + 30_000;
      while (!gone(pid)) {
        if (Date.now() > deadline) throw new Error(`Kafka node ${node} survived SIGKILL`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    up: () => stack('up'),
    async stop() {
      await stack('down');
      const admin = new pg.Client({ connectionString: withDatabase(base, 'postgres') });
      await admin.connect();
      await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
      await admin.end();
      if (options.removeOnStop) await rm(dataDir, { recursive: true, force: true });
    },
  };
}

function withDatabase(url: URL, database: string): string {
  const copy = new URL(url);
  copy.pathname = `/${database}`;
  return copy.toString();
}
