// What sealing events' patient data costs the codec: encode and decode events/s and bytes per
// event, the plain codec beside the sealing one in the same run, rounds alternating. Data keys are
// in memory (cached, as in a running system after a document's first event); the registry is
// real. Run with the stack up: `npx tsx test/bench/sealed-events.bench.ts [events]`.

import { createFieldSealer } from '../../infra/crypto/sealing-codec.ts';
import { topicNames } from '../../infra/kafka/topics.ts';
import {
  createEventCodec,
  createSchemaRegistry,
  type EventCodec,
  registerEventSchemas,
} from '../../schemas/codec.ts';
import type { DomainEvent } from '../../schemas/events.ts';
import { createTestEnvironment } from '../support/environment.ts';
import { chainOf, documentUploaded, matchingOf, patientRegistered } from '../support/events.ts';
import { memoryEncryption } from '../support/memory-keys.ts';

const [count = 20_000] = process.argv.slice(2).map(Number);
const ROUNDS = 3;

const upload = documentUploaded();
const page = 'Paciente: PEREZ LOPEZ, ANA   Exp.: 104471   Fecha de nacimiento: 17/05/1980\n';
const mix: DomainEvent[] = [
  upload,
  chainOf(upload).textExtracted([page.repeat(40)]),
  matchingOf(upload).entitiesExtracted(),
  patientRegistered('patient-1'),
];

const env = await createTestEnvironment({ LOG_LEVEL: 'error' });
try {
  const registry = createSchemaRegistry(env.config.registry.url, env.config.registry.auth);
  const ids = await registerEventSchemas(registry, topicNames(env.config.topics.prefix));
  const codecs: Record<string, EventCodec> = {
    plain: createEventCodec(registry, ids),
    sealed: createEventCodec(registry, ids, createFieldSealer(memoryEncryption())),
  };
  const totals = new Map<string, { encodeMs: number; decodeMs: number; bytes: number }>();
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, codec] of Object.entries(codecs)) {
      const events = Array.from({ length: count }, (_, i) => mix[i % mix.length] as DomainEvent);
      let started = performance.now();
      const encoded: Buffer[] = [];
      for (const event of events) encoded.push(await codec.encode(event));
      const encodeMs = performance.now() - started;
      started = performance.now();
      for (const bytes of encoded) await codec.decode(bytes);
      const decodeMs = performance.now() - started;
      const bytes = encoded.reduce((sum, b) => sum + b.length, 0);
      const total = totals.get(name) ?? { encodeMs: 0, decodeMs: 0, bytes: 0 };
      totals.set(name, {
        encodeMs: total.encodeMs + encodeMs,
        decodeMs: total.decodeMs + decodeMs,
        bytes: total.bytes + bytes,
      });
    }
  }
  const n = count * ROUNDS;
  const rate = (ms: number) => Math.round((n * 1000) / ms);
  for (const [name, t] of totals) {
    console.log(
      `${name}: encode ${rate(t.encodeMs)} events/s, decode ${rate(t.decodeMs)} events/s, ${Math.round(t.bytes / n)} bytes/event (mix of ${mix.map((e) => e.type).join(', ')})`,
    );
  }
} finally {
  await env.cleanup();
}
