import { randomUUID } from 'node:crypto';
import type { Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withToken } from '../../api/read-your-writes.ts';
import { createEventProducer, createKafka } from '../../infra/kafka/client.ts';
import { createEventLog, type EventLog } from '../../infra/kafka/event-log.ts';
import { topicNames } from '../../infra/kafka/topics.ts';
import { createLogger } from '../../infra/logger.ts';
import type { DomainEvent, LogPosition } from '../../schemas/events.ts';
import { type System, startSystem } from '../../system/system.ts';
import { apiClient } from '../support/api-client.ts';
import { issueKey } from '../support/credentials.ts';
import { createTestEnvironment, type TestEnvironment } from '../support/environment.ts';
import {
  documentUploaded,
  labEntity,
  matchingOf,
  patientRegistered,
  patientSubject,
} from '../support/events.ts';
import { plainCodec } from '../support/opening-codec.ts';

const TENANT = 'clinic-patients';
const meta = { tenantId: TENANT };
const sampled = (value: string) => ({
  value,
  span: { page: 1, start: 0, end: 10, confidence: 1 },
});

describe('patients, entities and reviews through the API', () => {
  let env: TestEnvironment;
  let system: System;
  let producer: Producer;
  let eventLog: EventLog;
  let api: ReturnType<typeof apiClient>;
  let otherTenant: ReturnType<typeof apiClient>;
  let keyId: string;

  /** Appends straight to the log, as the processors would; answers the read-your-writes token. */
  const append = async (...events: DomainEvent[]) => {
    let last: LogPosition | undefined;
    for (const event of events) last = await eventLog.append(event);
    if (!last) throw new Error('nothing appended');
    return withToken(last, last.topic.endsWith('.patient.events') ? 'patient' : 'document').token;
  };
  const post = (path: string, body: object) => api.post(path, body);
  const resolve = (reviewId: string, body: Record<string, unknown>) =>
    post(`/reviews/${reviewId}/resolve`, { tenantId: TENANT, ...body });
  const read = (path: string, minPosition: string, query = '') =>
    api.get(`${path}?tenantId=${TENANT}&minPosition=${minPosition}${query}`);

  /** A document's upload and extraction, with a glucose and a urea value sampled on `date`. */
  const documentWithLabs = (date: string, glucose: number) => {
    const upload = documentUploaded({ metadata: meta });
    const matching = matchingOf(upload);
    return {
      id: upload.metadata.aggregateId,
      matching,
      events: [
        upload,
        matching.entitiesExtracted({
          collectionDate: sampled(date),
          labs: [labEntity('Glucosa', glucose), labEntity('Urea', 30)],
        }),
      ],
    };
  };

  beforeAll(async () => {
    env = await createTestEnvironment();
    const logger = createLogger('warn');
    system = await startSystem(
      { ...env.config, processors: { ...env.config.processors, run: [] } },
      logger,
    );
    const topics = topicNames(env.config.topics.prefix);
    const codec = await plainCodec(env.config);
    producer = createEventProducer(createKafka(env.config, logger));
    await producer.connect();
    eventLog = createEventLog(producer, codec, topics);
    const { id, key } = await issueKey(env.config.database.url, TENANT);
    keyId = id;
    api = apiClient(system.url as string, TENANT, key);
    const other = await issueKey(env.config.database.url, 'other-clinic');
    otherTenant = apiClient(system.url as string, 'other-clinic', other.key);
  });
  afterAll(async () => {
    await producer?.disconnect();
    await system?.stop();
    await env?.cleanup();
  });

  it('registers a patient from a review, assigns another document to it, and shows its labs over time', async () => {
    const known = randomUUID();
    await append(
      patientRegistered(known, { subject: patientSubject({ name: 'LUIS GOMEZ' }) }, meta),
    );
    const march = documentWithLabs('2026-03-10', 140);
    const january = documentWithLabs('2026-01-10', 110);
    const candidate = {
      patientId: known,
      score: 0.66,
      evidence: [{ field: 'name', agreement: 0.4, weight: 2, detail: 'different given names' }],
    };
    const reviewId = `review-${randomUUID()}`;
    const opened = await append(
      ...january.events,
      january.matching.reviewRequired(reviewId, [candidate], { score: 0.66 }),
    );

    const { body: queue } = await read('/reviews', opened);
    expect(queue.items).toContainEqual(
      expect.objectContaining({
        id: reviewId,
        documentId: january.id,
        status: 'open',
        score: 0.66,
        subject: expect.objectContaining({ name: 'ANA PEREZ LOPEZ' }),
        candidates: [candidate],
      }),
    );

    const registered = await resolve(reviewId, { action: 'register', note: 'new to us' });
    expect(registered.status).toBe(202);
    const patientId = registered.body.patientId as string;
    expect(registered.body).toMatchObject({ resolution: 'registered', documentId: january.id });
    const { body: patient } = await read(
      `/patients/${patientId}`,
      registered.body.patientPosition.token,
    );
    expect(patient).toMatchObject({
      id: patientId,
      name: 'ANA PEREZ LOPEZ',
      reason: 'review',
      mergedInto: null,
    });
    const { body: withDocument } = await read(
      `/patients/${patientId}`,
      registered.body.position.token,
    );
    expect(withDocument.documents).toMatchObject([{ id: january.id, matchStatus: 'registered' }]);
    const { body: closed } = await read(
      '/reviews',
      registered.body.position.token,
      '&status=registered',
    );
    expect(closed.items).toMatchObject([{ id: reviewId, resolvedBy: `key:${keyId}`, patientId }]);

    const again = await resolve(reviewId, { action: 'reject' });
    expect(again).toMatchObject({ status: 409, body: { code: 'REVIEW_ALREADY_RESOLVED' } });

    const secondReview = `review-${randomUUID()}`;
    const secondOpened = await append(
      ...march.events,
      march.matching.reviewRequired(secondReview, [candidate]),
    );
    await read('/reviews', secondOpened);
    const assigned = await resolve(secondReview, { action: 'assign', patientId });
    expect(assigned).toMatchObject({ status: 202, body: { resolution: 'assigned', patientId } });
    const { body: labs } = await read(
      `/patients/${patientId}/labs`,
      assigned.body.position.token,
      '&test=GLUCOSÁ',
    );
    expect(
      labs.labs.map((l: { value: number; observedOn: string }) => [l.observedOn, l.value]),
    ).toEqual([
      ['2026-01-10', 110],
      ['2026-03-10', 140],
    ]);
    const { body: entities } = await read(
      `/documents/${march.id}/entities`,
      assigned.body.position.token,
    );
    expect(entities).toMatchObject({
      documentId: march.id,
      round: 1,
      entities: { labs: [{ test: 'Glucosa' }, { test: 'Urea' }] },
    });
  });

  it('merges two patients: the merged one answers as the survivor, whose labs include its own', async () => {
    const [survivor, merged] = [randomUUID(), randomUUID()];
    const first = documentWithLabs('2026-01-05', 101);
    const second = documentWithLabs('2026-02-05', 102);
    // Each registration sits on its own patient's partition: wait for each.
    for (const id of [survivor, merged]) {
      await read(`/patients/${id}`, await append(patientRegistered(id, {}, meta)));
    }
    const matched = await append(
      ...first.events,
      first.matching.patientMatched(survivor),
      ...second.events,
      second.matching.patientMatched(merged, { method: 'registered' }),
    );
    await read(`/patients/${merged}`, matched);

    const merge = await post(`/patients/${survivor}/merge`, {
      tenantId: TENANT,
      mergedId: merged,
      reason: 'same record number',
    });
    expect(merge).toMatchObject({ status: 202, body: { survivorId: survivor, mergedId: merged } });
    expect(merge.body.position.token).toMatch(/^patient:\d+:\d+$/);

    const { body: answer } = await read(`/patients/${merged}`, merge.body.position.token);
    expect(answer).toMatchObject({ id: survivor, mergedInto: survivor, mergedIds: [merged] });
    expect(answer.documents.map((d: { id: string }) => d.id).sort()).toEqual(
      [first.id, second.id].sort(),
    );
    const { body: labs } = await read(
      `/patients/${survivor}/labs`,
      merge.body.position.token,
      '&test=glucosa',
    );
    expect(labs.labs.map((l: { value: number }) => l.value)).toEqual([101, 102]);
    const { body: moved } = await read(`/documents/${second.id}`, merge.body.position.token);
    expect(moved.patientMatch).toMatchObject({ status: 'registered', patientId: survivor });
    const { body: list } = await read('/patients', merge.body.position.token, '&limit=200');
    const listed = list.items.map((p: { id: string }) => p.id);
    expect(listed).toContain(survivor);
    expect(listed).not.toContain(merged);

    const twice = await post(`/patients/${survivor}/merge`, {
      tenantId: TENANT,
      mergedId: merged,
    });
    expect(twice).toMatchObject({ status: 409, body: { code: 'PATIENT_ALREADY_MERGED' } });
    const intoMerged = await post(`/patients/${merged}/merge`, {
      tenantId: TENANT,
      mergedId: survivor,
    });
    expect(intoMerged).toMatchObject({ status: 409, body: { code: 'PATIENT_ALREADY_MERGED' } });
  });

  it('lets only one of two concurrent resolutions of a review through', async () => {
    const document = documentWithLabs('2026-04-01', 90);
    const reviewId = `review-${randomUUID()}`;
    const opened = await append(...document.events, document.matching.reviewRequired(reviewId, []));
    await read('/reviews', opened);
    const answers = await Promise.all([
      resolve(reviewId, { action: 'reject' }),
      resolve(reviewId, { action: 'register' }),
    ]);
    expect(answers.map((a) => a.status).sort()).toEqual([202, 409]);
    expect(answers.find((a) => a.status === 409)?.body.code).toBe('REVIEW_ALREADY_RESOLVED');
  });

  it('refuses to resolve a review the document has been processed again since', async () => {
    const document = documentWithLabs('2026-04-02', 91);
    const reviewId = `review-${randomUUID()}`;
    const opened = await append(...document.events, document.matching.reviewRequired(reviewId, []));
    await read(`/documents/${document.id}`, opened);
    const again = await post(`/documents/${document.id}/reprocess`, { tenantId: TENANT });
    expect(again).toMatchObject({ status: 202, body: { round: 2 } });
    const { body: reviews } = await read(
      '/reviews',
      again.body.position.token,
      '&status=superseded',
    );
    expect(reviews.items.map((r: { id: string }) => r.id)).toContain(reviewId);
    expect(await resolve(reviewId, { action: 'reject' })).toMatchObject({
      status: 409,
      body: { code: 'REVIEW_SUPERSEDED' },
    });
  });

  it('answers bad input with a stable code', async () => {
    const known = randomUUID();
    const document = documentWithLabs('2026-05-01', 95);
    const reviewId = `review-${randomUUID()}`;
    const registered = await append(patientRegistered(known, {}, meta));
    const opened = await append(...document.events, document.matching.reviewRequired(reviewId, []));
    await read(`/patients/${known}`, registered);
    await read('/reviews', opened);

    type Answer = Promise<{ status: number; body: { code: string } }>;
    const cases: Array<[() => Answer, number, string]> = [
      [() => resolve(`review-${randomUUID()}`, { action: 'reject' }), 404, 'REVIEW_NOT_FOUND'],
      [() => resolve(reviewId, { action: 'assign' }), 400, 'PATIENT_ID_REQUIRED'],
      [
        () => resolve(reviewId, { action: 'reject', patientId: known }),
        400,
        'PATIENT_ID_NOT_EXPECTED',
      ],
      [
        () => resolve(reviewId, { action: 'assign', patientId: randomUUID() }),
        404,
        'PATIENT_NOT_FOUND',
      ],
      [() => resolve(reviewId, { action: 'adopt' }), 400, 'VALIDATION_FAILED'],
      // The decider is the credential's principal: a reviewer named in the body is refused.
      [
        () => resolve(reviewId, { action: 'reject', reviewer: 'ana.reviewer' }),
        400,
        'VALIDATION_FAILED',
      ],
      [
        () => post(`/patients/${known}/merge`, { tenantId: TENANT, mergedId: known }),
        400,
        'SAME_PATIENT',
      ],
      [
        () => post(`/patients/${known}/merge`, { tenantId: TENANT, mergedId: randomUUID() }),
        404,
        'PATIENT_NOT_FOUND',
      ],
      [() => api.get(`/patients/${randomUUID()}?tenantId=${TENANT}`), 404, 'PATIENT_NOT_FOUND'],
      [() => otherTenant.get(`/patients/${known}`), 404, 'PATIENT_NOT_FOUND'],
      [() => api.get(`/patients/${known}?tenantId=other-clinic`), 403, 'TENANT_MISMATCH'],
      [
        async () => {
          const response = await fetch(`${system.url}/patients/${known}`);
          return { status: response.status, body: await response.json() };
        },
        401,
        'CREDENTIALS_REQUIRED',
      ],
      [
        () => api.get(`/patients?tenantId=${TENANT}&minPosition=patient:x`),
        400,
        'VALIDATION_FAILED',
      ],
      [() => api.get(`/patients?tenantId=${TENANT}&cursor=nonsense`), 400, 'INVALID_CURSOR'],
      [() => api.get(`/reviews?tenantId=${TENANT}&status=closed`), 400, 'VALIDATION_FAILED'],
      [
        () => api.get(`/documents/${randomUUID()}/entities?tenantId=${TENANT}`),
        404,
        'DOCUMENT_NOT_FOUND',
      ],
    ];
    for (const [answer, status, code] of cases) {
      expect(await answer()).toMatchObject({ status, body: { code } });
    }
    // The refused decisions left the review open.
    const { body: open } = await api.get(`/reviews?tenantId=${TENANT}&limit=200`);
    expect(open.items.map((r: { id: string }) => r.id)).toContain(reviewId);
  });
});
