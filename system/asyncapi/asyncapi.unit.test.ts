import { readdirSync } from 'node:fs';
import { AvroSchemaParser } from '@asyncapi/avro-schema-parser';
import { type AsyncAPIDocumentInterface, DiagnosticSeverity, Parser } from '@asyncapi/parser';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../infra/config.ts';
import { topicNames } from '../../infra/kafka/topics.ts';
import { EVENT_CATALOG, SHARED_RECORDS } from '../../schemas/catalog.ts';
import type { EventType } from '../../schemas/events.ts';
import { carriesSealedParts } from '../../schemas/sealed-fields.ts';
import { internalTopicConfigs, systemTopicConfigs } from '../topics.ts';
import { generateAsyncApi, readCommitted, STALE_MESSAGE } from './generate.ts';

const config = loadConfig({});
const names = topicNames(config.topics.prefix);

/** Every event type with a schema file: each `.avsc` but the records events share. */
const avscEventTypes = readdirSync(new URL('../../schemas/avro/', import.meta.url))
  .map((file) => file.replace(/\.avsc$/, ''))
  .filter((name) => !(SHARED_RECORDS as readonly string[]).includes(name));

describe('the AsyncAPI document of the topics', () => {
  let document: AsyncAPIDocumentInterface;
  let diagnostics: Awaited<ReturnType<Parser['parse']>>['diagnostics'];

  beforeAll(async () => {
    const parser = new Parser();
    parser.registerSchemaParser(AvroSchemaParser());
    const parsed = await parser.parse(generateAsyncApi());
    diagnostics = parsed.diagnostics;
    if (!parsed.document) throw new Error(JSON.stringify(diagnostics, null, 2));
    document = parsed.document;
  }, 60_000);

  it('is the committed docs/asyncapi.json', () => {
    expect(readCommitted() === generateAsyncApi(), STALE_MESSAGE).toBe(true);
  });

  it('passes the AsyncAPI parser with no error or warning', () => {
    const serious = diagnostics.filter(
      (d) => d.severity === DiagnosticSeverity.Error || d.severity === DiagnosticSeverity.Warning,
    );
    console.log(
      `asyncapi ${document.version()}: ${document.channels().length} channels, ` +
        `${document.components().messages().length} messages, ${diagnostics.length} diagnostics ` +
        `(${serious.length} errors or warnings)${diagnostics.map((d) => `\n  ${d.code}: ${d.message}`).join('')}`,
    );
    expect(serious).toEqual([]);
  });

  it('has a channel for every topic the system provisions', () => {
    const addresses = document
      .channels()
      .all()
      .map((c) => c.address());
    const topics = [
      ...systemTopicConfigs(config, names),
      ...internalTopicConfigs(config, names),
    ].map((t) => t.topic);
    expect(topics).toContain(names.events.audit);
    expect(topics).toContain(names.deadLetter('validate'));
    expect(topics).toContain(names.redrive('validate'));
    expect(topics).toContain(`${names.consumerGroup('match-patient')}.by-tenant`);
    expect(addresses.sort()).toEqual(topics.sort());
  });

  it('has every event type, as an Avro message on its own log', () => {
    expect(avscEventTypes.sort()).toEqual(Object.keys(EVENT_CATALOG).sort());
    for (const type of avscEventTypes) {
      const { aggregate } = EVENT_CATALOG[type as keyof typeof EVENT_CATALOG];
      const message = document.components().messages().get(type);
      expect(message, type).toBeDefined();
      const channels = document.channels().filterBy((c) => c.messages().has(type));
      expect(channels.map((c) => c.address())).toEqual([names.events[aggregate]]);
      expect(message?.schemaFormat()).toMatch(/^application\/vnd\.apache\.avro/);
      // The Avro parser turned the record into a schema whose fields can be walked.
      // Those with patient data carry it sealed beside the data (infra/crypto/sealed-events.ts).
      const fields = carriesSealedParts(type as EventType)
        ? ['envelope', 'data', 'sealed']
        : ['envelope', 'data'];
      expect(Object.keys(message?.payload()?.properties() ?? {})).toEqual(fields);
      expect(message?.headers()?.properties()?.['event-type']?.const()).toBe(type);
    }
  });
});
