import { loadConfig } from '../infra/config.ts';
import { createEventProducer, createKafka } from '../infra/kafka/client.ts';
import { topicNames } from '../infra/kafka/topics.ts';
import { createLogger } from '../infra/logger.ts';
import { listDeadLetters, redriveDeadLetters } from './runtime/dead-letters.ts';

const USAGE = `usage: npm run dlq -- list <processor>
       npm run dlq -- redrive <processor> [<partition:offset> ...]   (default: all not yet redriven)`;

const [command, processor, ...ids] = process.argv.slice(2);
if (!processor || (command !== 'list' && command !== 'redrive')) {
  console.error(USAGE);
  process.exit(2);
}

const config = loadConfig();
const kafka = createKafka(config, createLogger('error'));
const admin = kafka.admin();
const producer = createEventProducer(kafka);
const ports = { kafka, admin, producer, topics: topicNames(config.topics.prefix) };
await admin.connect();
try {
  if (command === 'list') {
    const { entries } = await listDeadLetters(ports, processor);
    for (const e of entries) {
      const from = `${e.original.topic}[${e.original.partition}]@${e.original.offset}`;
      console.log(
        `${e.id}\t${e.redriven ? 'redriven' : 'waiting'}\t${e.eventType ?? '?'}\t${e.documentId ?? '?'}\t${from}\t${e.reason}`,
      );
    }
    console.log(`${entries.length} dead letter(s) for ${processor}`);
  } else {
    await producer.connect();
    const sent = await redriveDeadLetters(ports, processor, ids.length > 0 ? ids : undefined);
    console.log(`redrove ${sent.length} dead letter(s) to ${ports.topics.redrive(processor)}`);
  }
} finally {
  await producer.disconnect();
  await admin.disconnect();
}
