// Exits 0 once the broker answers admin requests and its group coordinator has loaded (a new
// cluster's first consumers would otherwise crash on it), 1 at the deadline.
// Usage: kafka-ready.mjs BROKERS SECONDS [NODES], NODES being how many brokers must be in the cluster.
// Authenticates as KAFKA_SASL_USERNAME/KAFKA_SASL_PASSWORD with KAFKA_SASL_MECHANISM (stack.sh sets
// them); KAFKA_SASL_MECHANISM=none connects without SASL. Plain JavaScript, so stack.sh can run it
// with node alone: infra/kafka/client.ts builds the same options for everything else.
import { Kafka, logLevel } from 'kafkajs';

const [brokers = '127.0.0.1:9092', seconds = '60', nodes = '1'] = process.argv.slice(2);
const {
  KAFKA_SASL_MECHANISM: mechanism = 'none',
  KAFKA_SASL_USERNAME: username = '',
  KAFKA_SASL_PASSWORD: password = '',
} = process.env;
const deadline = Date.now() + Number(seconds) * 1000;
const kafka = new Kafka({
  brokers: brokers.split(','),
  sasl: mechanism === 'none' ? undefined : { mechanism, username, password },
  logLevel: logLevel.NOTHING,
  retry: { retries: 0 },
});

for (;;) {
  const admin = kafka.admin();
  try {
    await admin.connect();
    const { brokers: live } = await admin.describeCluster();
    await admin.listTopics();
    await admin.describeGroups(['kafka-ready']);
    await admin.disconnect();
    if (live.length >= Number(nodes)) process.exit(0);
  } catch {
    await admin.disconnect().catch(() => {});
  }
  if (Date.now() > deadline) process.exit(1);
  await new Promise((resolve) => setTimeout(resolve, 250));
}
