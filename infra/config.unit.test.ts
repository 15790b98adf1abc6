import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.ts';

describe('loadConfig', () => {
  it('works with no environment against the local stack', () => {
    const config = loadConfig({});
    expect(config.kafka.brokers).toEqual(['127.0.0.1:9092']);
    expect(config.registry.url).toBe('http://127.0.0.1:8081/apis/ccompat/v7');
    expect(config.http).toEqual({ host: '127.0.0.1', port: 3000 });
    expect(config.topics).toEqual({
      prefix: 'docstream',
      partitions: 6,
      replicationFactor: 1,
      minInsyncReplicas: 1,
      retentionMs: -1,
    });
  });

  it('reads and converts overrides', () => {
    const config = loadConfig({
      PORT: '8080',
      KAFKA_BROKERS: 'a:1, b:2',
      TOPIC_REPLICATION_FACTOR: '3',
      TOPIC_MIN_INSYNC_REPLICAS: '2',
    });
    expect(config.http.port).toBe(8080);
    expect(config.kafka.brokers).toEqual(['a:1', 'b:2']);
    expect(config.topics.minInsyncReplicas).toBe(2);
  });

  it('refuses invalid values, naming each', () => {
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(ConfigError);
    expect(() => loadConfig({ PORT: 'eighty', LOG_LEVEL: 'loud' })).toThrow(
      /PORT.*LOG_LEVEL|LOG_LEVEL.*PORT/,
    );
    expect(() => loadConfig({ TOPIC_MIN_INSYNC_REPLICAS: '2' })).toThrow(/must not exceed/);
  });

  it('chooses which processors run, and refuses a malformed list', () => {
    expect(loadConfig({}).processors.run).toBe('all');
    expect(loadConfig({ PROCESSORS: 'none' }).processors.run).toEqual([]);
    expect(loadConfig({ PROCESSORS: 'validate,classify' }).processors.run).toEqual([
      'validate',
      'classify',
    ]);
    expect(() => loadConfig({ PROCESSORS: 'validate;rm -rf' })).toThrow(/PROCESSORS/);
    expect(() => loadConfig({ OCR_LANGUAGES: 'eng+../x' })).toThrow(/OCR_LANGUAGES/);
    expect(loadConfig({ OCR_LANGUAGES: 'eng+spa' }).ocr.languages).toBe('eng+spa');
  });
});
