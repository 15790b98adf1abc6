import type { ITopicConfig } from 'kafkajs';
import type { Config } from '../infra/config.ts';
import { eventLogTopicConfigs, type TopicNames } from '../infra/kafka/topics.ts';
import { byTenantTopic } from '../processors/match-patient/by-tenant.ts';
import { PROCESSOR_NAMES } from '../processors/start.ts';
import { WEBHOOK_CONSUMER } from '../producers/webhooks/intake.ts';
import { PROJECTIONS } from '../projections/catalog.ts';
import { deadLetterConsumer } from '../projections/runtime/runner.ts';

/** Every consumer that sets aside what it cannot handle: projections, processors, webhooks. */
export const DEAD_LETTER_CONSUMERS: readonly string[] = [
  ...PROJECTIONS.map(deadLetterConsumer),
  ...PROCESSOR_NAMES,
  WEBHOOK_CONSUMER,
];

/** The consumers whose dead letters can be sent back to them: the processors. */
export const REDRIVE_CONSUMERS: readonly string[] = PROCESSOR_NAMES;

/** Every topic the system writes: what start-up provisions and what the AsyncAPI document lists. */
export function systemTopicConfigs(config: Config, names: TopicNames): ITopicConfig[] {
  return eventLogTopicConfigs(config.topics, names, DEAD_LETTER_CONSUMERS, REDRIVE_CONSUMERS);
}

/**
 * Topics a processor creates for itself when it starts, with the event logs' settings: the
 * matcher's by-tenant topic. The AsyncAPI document lists them as internal.
 */
export function internalTopicConfigs(config: Config, names: TopicNames): ITopicConfig[] {
  const [template] = eventLogTopicConfigs(config.topics, names) as [ITopicConfig];
  return [{ ...template, topic: byTenantTopic(names) }];
}
