// Patient matching at scale: builds indexes of seeded synthetic patients (100,000 and 1,000,000 by
// default), then times match decisions for a mix of queries planted against them (the same person
// written another way, namesakes, twins, siblings, newcomers). Prints the index build time, the
// memory the index holds (heapUsed and rss before and after building, after a full GC when run
// with --expose-gc) in all and per patient, decisions per second by the wall clock and per second
// of this process's CPU time (on a machine shared with other work the wall clock also counts the
// time others had the cores), and p50/p99 per decision. That first pass is a matcher just
// started: every word pair its queries bring is worked out for the first time. It then decides
// further sets of queries planted with other seeds (other patients, other misspellings) and prints
// their decisions/s: a matcher that has been running, whose tenant's common pairs are remembered.
// Run: `node --expose-gc --import tsx test/bench/match.bench.ts [sizes] [queries per kind]
// [further sets]`, e.g. `... match.bench.ts 100000,1000000 300 3`. Not a timed test: it prints
// its figures.
import { performance } from 'node:perf_hooks';
import { matchSubject, patientOf } from '../../processors/match-patient/match.ts';
import { createPatientIndex } from '../../processors/match-patient/patient-index.ts';
import { matchPolicy } from '../../processors/match-patient/policy.ts';
import { prepareSubject } from '../../processors/match-patient/subject.ts';
import { plantQueries, registrationSubject, syntheticPatient } from '../fixtures/patients.ts';

const [sizesArg = '100000,1000000', perKindArg = '300', furtherArg = '3'] = process.argv.slice(2);
const SIZES = sizesArg.split(',').map(Number);
const PER_KIND = Number(perKindArg);
const FURTHER_SETS = Number(furtherArg);
const TENANT = 'tenant-bench';
const SEED = 4242;
const policy = matchPolicy({ autoThreshold: 0.95, reviewThreshold: 0.6 });

const gc = (globalThis as { gc?: () => void }).gc;
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
function memory() {
  gc?.();
  const { heapUsed, rss } = process.memoryUsage();
  return { heapUsed, rss };
}
const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;

function bench(size: number) {
  const before = memory();
  const index = createPatientIndex();
  let building = 0;
  for (let serial = 0; serial < size; serial++) {
    const patient = syntheticPatient(SEED, serial);
    const subject = registrationSubject(patient);
    const started = performance.now();
    index.register(TENANT, patientOf(patient.id, prepareSubject(subject)));
    building += performance.now() - started;
  }
  const after = memory();

  const queries = plantQueries({ seed: SEED, size }, 99, PER_KIND);
  const times: number[] = [];
  const decisions = { matched: 0, review: 0, new: 0 };
  const cpuBefore = process.cpuUsage();
  for (const query of queries) {
    const started = performance.now();
    const { decision } = matchSubject(index, TENANT, query.subject, policy);
    times.push(performance.now() - started);
    decisions[decision.kind]++;
  }
  const cpu = process.cpuUsage(cpuBefore);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  const total = times.reduce((a, b) => a + b, 0);
  times.sort((a, b) => a - b);

  console.log(`\n${size.toLocaleString('en')} patients (${index.size(TENANT)} in the index)`);
  console.log(`  build: ${(building / 1000).toFixed(1)} s of index work (generation not counted)`);
  console.log(
    `  memory: heapUsed ${mb(before.heapUsed)} -> ${mb(after.heapUsed)} (+${mb(after.heapUsed - before.heapUsed)}), ` +
      `rss ${mb(before.rss)} -> ${mb(after.rss)} (+${mb(after.rss - before.rss)})` +
      `${gc ? '' : ' (no --expose-gc: without a GC first)'}`,
  );
  const perPatient = (bytes: number) => (bytes / size).toFixed(0);
  console.log(
    `  bytes/patient: heap ${perPatient(after.heapUsed - before.heapUsed)}, ` +
      `rss ${perPatient(after.rss - before.rss)}`,
  );
  console.log(
    `  ${queries.length} decisions: ${((queries.length / total) * 1000).toFixed(0)} decisions/s, ` +
      `${((queries.length / cpuMs) * 1000).toFixed(0)} per CPU-second, ` +
      `p50 ${percentile(times, 50).toFixed(3)} ms, p99 ${percentile(times, 99).toFixed(3)} ms, ` +
      `max ${(times.at(-1) ?? 0).toFixed(3)} ms`,
  );
  console.log(
    `  outcomes: ${decisions.matched} matched, ${decisions.review} review, ${decisions.new} new`,
  );

  const further: number[] = [];
  for (let set = 1; set <= FURTHER_SETS; set++) {
    const others = plantQueries({ seed: SEED, size }, 99 + set, PER_KIND);
    const started = performance.now();
    for (const query of others) matchSubject(index, TENANT, query.subject, policy);
    further.push((others.length / (performance.now() - started)) * 1000);
  }
  if (further.length > 0) {
    const mean = further.reduce((a, b) => a + b, 0) / further.length;
    console.log(
      `  ${further.length} further sets of ${queries.length} new queries: ` +
        `${further.map((rate) => rate.toFixed(0)).join(', ')} decisions/s (mean ${mean.toFixed(0)})`,
    );
  }
}

for (const size of SIZES) bench(size);
