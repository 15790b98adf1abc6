import type { BlobReader } from '../../infra/blobs/blob-store.ts';
import {
  type DocumentReprocessRequested,
  type DocumentTypeHint,
  type DocumentUploaded,
  roundOf,
  uploadHint,
} from '../../schemas/events.ts';
import { inlineOffload, type Offload } from '../offload/offload.ts';
import type { Draft, Processor } from '../runtime/processor.ts';
import { processorVersion } from '../versions.ts';
import { WORD_MEDIA_TYPE } from '../word.ts';
import { type ContainerDeps, expandArchive } from './containers/archive.ts';
import { isContainer } from './containers/expand.ts';
import { checkImage } from './image-checks.ts';
import { DEFAULT_VALIDATION_LIMITS, type ValidationLimits } from './limits.ts';
import { rejected, type Validation } from './outcome.ts';
import { checkPdf } from './pdf-checks.ts';
import { checkWord } from './word-checks.ts';

export { DEFAULT_VALIDATION_LIMITS, type ValidationLimits } from './limits.ts';
export { REJECTION_REASONS, type RejectionReason } from './outcome.ts';

type ValidateInput = DocumentUploaded | DocumentReprocessRequested;

/**
 * Checks a document's stored bytes in depth before the chain spends work on them: they must parse
 * as their media type, within the page and pixel limits. Emits DocumentValidated with the pages
 * and their sizes, or DocumentRejected with a stable reason.
 */
export function createValidateProcessor(deps: {
  blobs: BlobReader;
  limits?: Partial<ValidationLimits>;
  /** Opens zips and e-mails into child documents; without it they are rejected as unsupported. */
  containers?: ContainerDeps;
  /** Where large text is checked, off the thread that serves; in the caller by default. */
  offload?: Offload;
}): Processor<ValidateInput['type']> {
  const limits: ValidationLimits = { ...DEFAULT_VALIDATION_LIMITS, ...deps.limits };
  const offload = deps.offload ?? inlineOffload;
  return {
    name: 'validate',
    version: processorVersion('validate'),
    consumes: ['DocumentUploaded', 'DocumentReprocessRequested'],
    async handle(event) {
      const { blobRef, mediaType } = event.data;
      if (isContainer(mediaType) && deps.containers) {
        // Its children went their own way when it was uploaded; a new round has nothing to open.
        if (event.type === 'DocumentReprocessRequested') return [];
        return expandArchive(event, deps.containers);
      }
      const bytes = await deps.blobs.read(event.metadata.tenantId, blobRef);
      return [decide(event, await validateBytes(mediaType, bytes, limits, offload))];
    },
  };
}

function decide(event: ValidateInput, validation: Validation): Draft {
  const round = roundOf(event);
  if (!validation.ok) {
    const { reason, message } = validation;
    return { type: 'DocumentRejected', data: { round, reason, message } };
  }
  const { mediaType, blobRef } = event.data;
  const { pages } = validation;
  return {
    type: 'DocumentValidated',
    data: { round, mediaType, blobRef, pageCount: pages.length, pages, hint: hintOf(event) },
  };
}

function validateBytes(
  mediaType: string,
  bytes: Buffer,
  limits: ValidationLimits,
  offload: Offload,
): Promise<Validation> {
  switch (mediaType) {
    case 'application/pdf':
      return checkPdf(bytes, limits);
    case 'image/png':
    case 'image/jpeg':
    case 'image/tiff':
      return checkImage(bytes, mediaType, limits);
    case 'text/plain':
      // Nothing reads the bytes after the check: they are moved to the worker, not copied.
      return offload.run('checkText', bytes, bytes.length, { handOver: bytes });
    case WORD_MEDIA_TYPE:
      return checkWord(bytes, limits);
    default:
      return Promise.resolve(
        rejected('UNSUPPORTED_MEDIA_TYPE', `documents of type ${mediaType} are not accepted`),
      );
  }
}

/** What the document's type was thought to be before its text was read. */
function hintOf(event: ValidateInput): DocumentTypeHint | null {
  switch (event.type) {
    case 'DocumentReprocessRequested':
      return event.data.hint;
    case 'DocumentUploaded': {
      const { documentTypeHint, exportName } = event.data;
      return uploadHint({ documentTypeHint, exportDocumentType: exportName?.documentType ?? null });
    }
    default:
      return event satisfies never;
  }
}
