import type { BlobStore } from '../../infra/blobs/blob-store.ts';
import type { Encryption } from '../../infra/crypto/encryption.ts';
import { documentSubject, patientSubject } from '../../infra/crypto/envelope.ts';
import { DocstreamError, notFound } from '../../infra/errors.ts';
import type { EventLog } from '../../infra/kafka/event-log.ts';
import type { Logger } from '../../infra/logger.ts';
import { type Pool, type PoolClient, withTenant } from '../../infra/postgres.ts';
import type { DocumentErased, LogPosition, PatientErased } from '../../schemas/events.ts';
import { eventLogUnavailable } from '../errors.ts';
import { documentErased, patientErased } from './events.ts';
import { documentsInScope, type ErasedDocument, mergedInto, unsharedBlobs } from './scope.ts';

export interface EraseDocumentRequest {
  tenantId: string;
  documentId: string;
  /** Who erases: `key:<id>`, `user:<sub>`, or a reactor's name. */
  principal: string;
  reason: string;
  correlationId?: string;
}

export interface ErasePatientRequest {
  tenantId: string;
  patientId: string;
  principal: string;
  reason: string;
  correlationId?: string;
}

/** An erasure done: its event and where the log put it. */
export interface Erased<E> {
  event: E;
  position: LogPosition;
}

/**
 * Erasure by crypto-shredding. Each call destroys the data keys of what it erases, appends the
 * erasure events, drops the write side's traces and deletes the stored files. DOCUMENT_NOT_FOUND
 * / PATIENT_NOT_FOUND (404) for what the tenant does not have; DOCUMENT_ALREADY_ERASED /
 * PATIENT_ALREADY_ERASED (409) the second time; PATIENT_MERGED (409) for a patient merged into
 * another (its data lives on in the survivor: erase that one).
 */
export interface Erasure {
  /** The document, the child documents of a container and the documents recorded as its duplicates. */
  eraseDocument(request: EraseDocumentRequest): Promise<Erased<DocumentErased>>;
  /** The patient, the patients merged into it, and every document linked to any of them. */
  erasePatient(request: ErasePatientRequest): Promise<Erased<PatientErased>>;
}

export interface ErasureDeps {
  pool: Pool;
  eventLog: EventLog;
  keys: Pick<Encryption, 'destroyKeys'>;
  blobs: Pick<BlobStore, 'remove'>;
  logger: Logger;
  now: () => number;
  newId: () => string;
}

const conflict = (code: string, message: string) => new DocstreamError('conflict', code, message);

const ids = {
  document: (id: string) => `document:${id}`,
  patient: (id: string) => `patient:${id}`,
};

/**
 * Order, and why it cannot leave data readable: within one write-side transaction, (1) the guard
 * rows are taken, (2) the data keys are destroyed in the key store's own transaction, (3) the
 * erasure events are appended, (4) the write side's traces are deleted and the transaction
 * commits; (5) the files are deleted. A crash before (2) changes nothing. A crash after (2) has
 * already made the events' sealed fields, the stored text and the files unreadable everywhere,
 * backups included; the guard rows roll back, so asking again (or the retention reactor's next
 * pass) destroys nothing new (destroying is idempotent) and appends the events, which the read
 * models need to drop what they derived. Appending the events first instead would have let read
 * models blank their rows while the log and the files could still be decrypted. A crash after (4)
 * leaves files that no key opens. An event appended twice (the commit failed after it) is
 * harmless: every projection folds an erasure idempotently.
 */
export function createErasure(deps: ErasureDeps): Erasure {
  const log = deps.logger.child({ component: 'erasure' });

  /** Takes the guard rows; the subjects that were taken already are left as they are. */
  const guard = async (
    db: PoolClient,
    tenantId: string,
    subjects: readonly string[],
    by: { principal: string; reason: string; eventId: string },
  ) =>
    db.query(
      `INSERT INTO write_side.erasures (tenant_id, subject, erased_by, reason, event_id)
       SELECT $1, s, $3, $4, $5 FROM unnest($2::text[]) AS s ON CONFLICT DO NOTHING`,
      [tenantId, subjects, by.principal, by.reason, by.eventId],
    );

  const erased = async (db: PoolClient, tenantId: string, subject: string) => {
    const { rows } = await db.query(
      'SELECT 1 FROM write_side.erasures WHERE tenant_id = $1 AND subject = $2',
      [tenantId, subject],
    );
    return rows.length > 0;
  };

  const append = async <E extends DocumentErased | PatientErased>(event: E) => {
    try {
      return await deps.eventLog.append(event);
    } catch (cause) {
      throw eventLogUnavailable(cause);
    }
  };

  /** The documents' events, each keyed by its document, caused by `causationId`. */
  const appendDocuments = async (
    documents: readonly ErasedDocument[],
    common: { tenantId: string; principal: string; reason: string; correlationId: string },
    causationId: string | null,
    patientId: string | null,
  ) => {
    for (const document of documents) {
      await append(documentErased(deps, common, document.documentId, causationId, patientId));
    }
  };

  const forget = async (db: PoolClient, tenantId: string, documentIds: readonly string[]) => {
    await db.query(
      `DELETE FROM write_side.intake_contents WHERE tenant_id = $1 AND document_id = ANY($2::text[])`,
      [tenantId, documentIds],
    );
  };

  /** Deletes the files; they are unreadable already, so a failure is logged and left. */
  const removeFiles = async (tenantId: string, refs: readonly string[]) => {
    const results = await Promise.allSettled(refs.map((ref) => deps.blobs.remove(tenantId, ref)));
    const failed = results.filter((r) => r.status === 'rejected').length;
    if (failed > 0) log.warn({ tenantId, failed }, 'erased files left in the blob store');
  };

  return {
    async eraseDocument(request) {
      const { tenantId, documentId, principal, reason } = request;
      const correlationId = request.correlationId ?? deps.newId();
      const common = { tenantId, principal, reason, correlationId };
      const { result, refs } = await withTenant(deps.pool, tenantId, async (db) => {
        if (await erased(db, tenantId, ids.document(documentId))) {
          throw conflict('DOCUMENT_ALREADY_ERASED', 'the document was erased already');
        }
        const documents = await documentsInScope(db, tenantId, [documentId]);
        const root = documents.find((d) => d.documentId === documentId);
        if (!root) throw notFound('DOCUMENT_NOT_FOUND', 'no such document for this tenant');
        const others = documents.filter((d) => d !== root);
        const subjects = documents.map((d) => documentSubject(tenantId, d.documentId).subject);
        const event = documentErased(deps, common, documentId, null, null, subjects);
        await guard(db, tenantId, subjects, { principal, reason, eventId: event.metadata.eventId });
        await deps.keys.destroyKeys(tenantId, subjects);
        const position = await append(event);
        await appendDocuments(others, common, event.metadata.eventId, null);
        const documentIds = documents.map((d) => d.documentId);
        await forget(db, tenantId, documentIds);
        return {
          result: { event, position },
          refs: await unsharedBlobs(db, tenantId, documents),
        };
      });
      await removeFiles(tenantId, refs);
      return result;
    },

    async erasePatient(request) {
      const { tenantId, patientId, principal, reason } = request;
      const correlationId = request.correlationId ?? deps.newId();
      const common = { tenantId, principal, reason, correlationId };
      const { result, refs } = await withTenant(deps.pool, tenantId, async (db) => {
        if (await erased(db, tenantId, ids.patient(patientId))) {
          throw conflict('PATIENT_ALREADY_ERASED', 'the patient was erased already');
        }
        const { found, survivor, merged } = await mergedInto(db, tenantId, patientId);
        if (!found) throw notFound('PATIENT_NOT_FOUND', 'no such patient for this tenant');
        if (survivor) {
          throw conflict('PATIENT_MERGED', 'the patient was merged into another: erase that one');
        }
        const patientIds = [patientId, ...merged];
        const documents = await documentsInScope(db, tenantId, [], patientIds);
        const subjects = [
          ...patientIds.map((id) => patientSubject(tenantId, id).subject),
          ...documents.map((d) => documentSubject(tenantId, d.documentId).subject),
        ];
        const event = patientErased(deps, common, patientId, {
          mergedIds: merged,
          documentIds: documents.map((d) => d.documentId),
          destroyedSubjects: subjects,
        });
        await guard(db, tenantId, subjects, { principal, reason, eventId: event.metadata.eventId });
        await deps.keys.destroyKeys(tenantId, subjects);
        const position = await append(event);
        // Each merged patient's own partition gets its erasure too, after its registration.
        for (const id of merged) {
          await append(
            patientErased(
              deps,
              common,
              id,
              {
                mergedIds: [],
                documentIds: [],
                destroyedSubjects: [patientSubject(tenantId, id).subject],
              },
              event.metadata.eventId,
            ),
          );
        }
        await appendDocuments(documents, common, event.metadata.eventId, patientId);
        await forget(
          db,
          tenantId,
          documents.map((d) => d.documentId),
        );
        return {
          result: { event, position },
          refs: await unsharedBlobs(db, tenantId, documents),
        };
      });
      await removeFiles(tenantId, refs);
      return result;
    },
  };
}
