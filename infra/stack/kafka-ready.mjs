// Exits 0 once the broker answers admin requests, 1 at the deadline. Usage: kafka-ready.mjs BROKERS SECONDS
import { Kafka, logLevel } from 'kafkajs';

const [brokers = '127.0.0.1:9092', seconds = '60'] = process.argv.slice(2);
const deadline = Date.now() + Number(seconds) * 1000;
const kafka = new Kafka({
  brokers: brokers.split(','),
  logLevel: logLevel.NOTHING,
  retry: { retries: 0 },
});

for (;;) {
  const admin = kafka.admin();
  try {
    await admin.connect();
    const { brokers: live } = await admin.describeCluster();
    await admin.listTopics();
    await admin.disconnect();
    if (live.length > 0) process.exit(0);
  } catch {
    await admin.disconnect().catch(() => {});
  }
  if (Date.now() > deadline) process.exit(1);
  await new Promise((resolve) => setTimeout(resolve, 250));
}
