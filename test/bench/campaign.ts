// The fault campaign (docs/resilience.md): against a three-node Kafka cluster started beside the
// stack, the API and processor processes take documents of mixed kinds while processor processes
// are killed -9, a broker is killed and restarted, and (with --restart-postgres) PostgreSQL is
// restarted; prints what was accepted, what ended how, what was lost or duplicated, and the drain.
// `npm run campaign -- [--documents 10000] [--replicas 3] [--kills 6] [--restart-postgres]
//   [--port-base 19092] [--cluster-dir .data/cluster] [--keep-cluster]`
import path from 'node:path';
import { parseArgs } from 'node:util';
import { runCampaign } from '../support/campaign.ts';
import { startCluster } from '../support/cluster.ts';
import { createTestEnvironment } from '../support/environment.ts';

const { values } = parseArgs({
  options: {
    documents: { type: 'string', default: '10000' },
    replicas: { type: 'string', default: '3' },
    kills: { type: 'string', default: '6' },
    'restart-postgres': { type: 'boolean', default: false },
    'port-base': { type: 'string', default: '19092' },
    'cluster-dir': { type: 'string', default: '.data/cluster' },
    'keep-cluster': { type: 'boolean', default: false },
  },
});
const log = (line: string) => console.log(`[campaign] ${line}`);

const aborted = new AbortController();
for (const name of ['SIGINT', 'SIGTERM'] as const) {
  process.once(name, () => aborted.abort(new Error(`campaign stopped by ${name}`)));
}

let t = performance.now();
const cluster = await startCluster({
  dataDir: path.resolve(values['cluster-dir']),
  portBase: Number(values['port-base']),
});
log(
  `3-node cluster at ${cluster.env.KAFKA_BROKERS} answers (${((performance.now() - t) / 1000).toFixed(0)} s)`,
);
const env = await createTestEnvironment({
  ...cluster.env,
  TOPIC_PARTITIONS: '6',
  TOPIC_PREFIX: `campaign-${Date.now()}`,
});
try {
  t = performance.now();
  const report = await runCampaign(env, {
    documents: Number(values.documents),
    replicas: Number(values.replicas),
    processorKills: Number(values.kills),
    cluster,
    restartPostgres: values['restart-postgres'],
    logsDir: path.resolve(values['cluster-dir'], '..', `campaign-logs-${Date.now()}`),
    log,
    signal: aborted.signal,
  });
  const kinds = Object.entries(report.acceptedByKind)
    .map(([kind, n]) => `${n} ${kind}`)
    .join(', ');
  console.log(`
documents pushed        ${report.pushed} (${values.replicas} processor processes, ${cluster.nodes} Kafka nodes)
accepted                ${report.accepted} (${kinds}); refused ${report.refused}${refusals(report.refusedFor)}; upload retries ${report.uploadRetries}
terminal                ${report.decided + report.rejected + report.failed}: classified and decided ${report.decided}, rejected ${report.rejected}, failed ${report.failed}
lost                    ${report.lost.length}${report.lost.length ? ` (${report.lost.slice(0, 5).join(', ')}…)` : ''}
duplicated events       ${report.duplicatedEvents} (per document or patient, type and round; ${report.duplicatedKeys.length} keys, ${report.duplicatedFromOneCause} with one cause)${report.duplicatedKeys.length ? ` e.g. ${report.duplicatedKeys.slice(0, 3).join('; ')}` : ''}
log records read twice  ${report.rereads} (by the audit's reader, after a rebalance; not counted above)
patients                ${report.patientsRegistered} registered, ${report.patientsDuplicated} duplicated
read model              ${report.terminalInReadModel} of ${report.accepted} terminal
uploads took            ${report.uploadSeconds.toFixed(1)} s (${(report.accepted / report.uploadSeconds).toFixed(1)} documents/s)
drained                 ${report.drainSeconds.toFixed(1)} s after the last upload (campaign ${((performance.now() - t) / 1000).toFixed(0)} s in all)
faults                  ${report.faults.length}
${report.faults.map((f) => `  - ${f}`).join('\n')}`);
  process.exitCode =
    report.lost.length === 0 && report.duplicatedEvents === 0 && report.patientsDuplicated === 0
      ? 0
      : 1;
} finally {
  await env.cleanup().catch((error: Error) => log(`cleanup: ${error.message}`));
  if (!values['keep-cluster']) await cluster.stop();
}

function refusals(byReason: Record<string, number>): string {
  const reasons = Object.entries(byReason).map(([reason, n]) => `${n} ${reason}`);
  return reasons.length > 0 ? ` (${reasons.join(', ')})` : '';
}
