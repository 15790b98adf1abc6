import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { UndecodableEventError } from '../../schemas/codec.ts';
import type { DomainEvent, SealedPart } from '../../schemas/events.ts';
import { sealedFields } from '../../schemas/sealed-fields.ts';
import {
  chainOf,
  documentUploaded,
  matchingOf,
  patientRegistered,
  patientSubject,
} from '../../test/support/events.ts';
import { memoryKeyStore } from '../../test/support/memory-keys.ts';
import { openSealedEvent } from './downstream.ts';
import { createEncryption } from './encryption.ts';
import { documentSubject } from './envelope.ts';
import { createFieldSealer } from './sealing-codec.ts';

function setup() {
  const keys = memoryKeyStore();
  const encryption = createEncryption({ keys, kek: randomBytes(32) });
  return { keys, encryption, sealer: createFieldSealer(encryption) };
}

const upload = documentUploaded();
const chain = chainOf(upload);
const matching = matchingOf(upload);
const SECRETS = ['PEREZ', '4471', '1980-05-17', 'EXP-4471', '17/05/1980'];

const examples: DomainEvent[] = [
  upload,
  chain.textExtracted(['Paciente: ANA PEREZ LOPEZ  Expediente 4471  FN 17/05/1980']),
  matching.entitiesExtracted(),
  patientRegistered('patient-1', { documentId: upload.metadata.aggregateId }),
];

describe('sealing events', () => {
  it('reads which fields are sealed from the schema marks', () => {
    expect(sealedFields('DocumentUploaded').map((f) => f.path.join('.'))).toEqual([
      'fileName',
      'sha256',
      'externalPatientId',
      'exportName',
      'entryPath',
    ]);
    expect(sealedFields('TextExtracted')).toEqual([{ path: ['pages', '*', 'text'], blank: null }]);
    expect(sealedFields('PatientRegistered')[0]?.blank).toMatchObject({
      name: null,
      identifiers: [],
    });
    expect(sealedFields('DocumentValidated')).toEqual([]);
  });

  it.each(examples.map((e) => [e.type, e] as const))(
    'given a %s, the wire form holds none of its data and opens to the same event',
    async (_type, event) => {
      const { sealer } = setup();
      const before = JSON.stringify(event);
      const wire = await sealer.seal(event);
      expect(JSON.stringify(event)).toBe(before);
      const text = JSON.stringify(wire.data);
      for (const secret of SECRETS) expect(text).not.toContain(secret);
      expect(wire.sealed).toHaveLength(1);
      expect(await sealer.open({ ...event, data: wire.data } as DomainEvent, wire.sealed)).toEqual(
        event,
      );
    },
  );

  it('seals a document’s data under the document and a patient’s under the patient', async () => {
    const { sealer } = setup();
    const [documentPart] = (await sealer.seal(upload)).sealed;
    expect(documentPart?.keyRef).toBe(`document:${upload.metadata.aggregateId}`);
    const [patientPart] = (await sealer.seal(patientRegistered('patient-1'))).sealed;
    expect(patientPart?.keyRef).toBe('patient:patient-1');
  });

  it('given the subject’s keys destroyed, opens to the event with its sealed fields blank', async () => {
    const { sealer, encryption } = setup();
    const wire = await sealer.seal(upload);
    await encryption.destroyKeys(upload.metadata.tenantId, [
      documentSubject(upload.metadata.tenantId, upload.metadata.aggregateId).subject,
    ]);
    const opened = await sealer.open({ ...upload, data: wire.data } as DomainEvent, wire.sealed);
    expect(opened.data).toEqual({
      ...upload.data,
      fileName: '',
      sha256: '',
      externalPatientId: null,
      exportName: null,
      entryPath: null,
    });
  });

  it('given the subject erased before its event is written, writes the event blank', async () => {
    const { sealer, encryption } = setup();
    const { tenantId, aggregateId } = upload.metadata;
    await encryption.destroyKeys(tenantId, [documentSubject(tenantId, aggregateId).subject]);
    const wire = await sealer.seal(upload);
    expect(wire.sealed).toEqual([]);
    expect(JSON.stringify(wire.data)).not.toContain('PEREZ');
  });

  it('refuses a flipped ciphertext byte as undecodable, quoting no data', async () => {
    const { sealer } = setup();
    const wire = await sealer.seal(upload);
    const part = wire.sealed[0] as SealedPart;
    const ciphertext = Buffer.from(part.ciphertext);
    ciphertext[ciphertext.length - 20]! ^= 0x01;
    const opening = sealer.open({ ...upload, data: wire.data } as DomainEvent, [
      { ...part, ciphertext },
    ]);
    await expect(opening).rejects.toBeInstanceOf(UndecodableEventError);
    await expect(opening).rejects.toThrow(/refused: ciphertext refused: authentication failed/);
  });

  it('refuses a part moved from another event', async () => {
    const { sealer } = setup();
    const other = documentUploaded({ metadata: { aggregateId: upload.metadata.aggregateId } });
    const moved = (await sealer.seal(other)).sealed;
    const wire = await sealer.seal(upload);
    await expect(sealer.open({ ...upload, data: wire.data } as DomainEvent, moved)).rejects.toThrow(
      /sealed for another event/,
    );
  });

  it('seals nothing when every sealed field is blank already', async () => {
    const { sealer, keys } = setup();
    const event = chain.reprocessRequested(2);
    const wire = await sealer.seal({ ...event, data: { ...event.data, reason: null } });
    expect(wire.sealed).toEqual([]);
    expect(keys.rows.size).toBe(0);
  });

  it('opens for a downstream consumer from the decoded record alone', async () => {
    const { sealer, encryption } = setup();
    const subject = patientSubject();
    const event = patientRegistered('patient-2', { subject });
    const wire = await sealer.seal(event);
    const record = { envelope: event.metadata, data: wire.data, sealed: wire.sealed };
    const data = await openSealedEvent({ decrypt: (c) => encryption.decrypt(c) }, record);
    expect(data).toEqual(event.data);
  });
});
