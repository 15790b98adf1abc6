import {
  createValidateProcessor,
  type ValidationLimits,
} from '../../processors/validate/processor.ts';
import { documentUploaded } from './events.ts';
import { memoryBlobs } from './memory-blobs.ts';
import { processorSpec } from './processor-spec.ts';

/** A validate processor over in-memory blobs, and uploads of bytes it can read. */
export function validating(limits: Partial<ValidationLimits> = {}) {
  const blobs = memoryBlobs();
  const spec = processorSpec(createValidateProcessor({ blobs, limits }));
  const upload = (bytes: Buffer, mediaType: string) =>
    documentUploaded({ data: { mediaType, blobRef: blobs.add('tenant-a', bytes) } });
  return { blobs, spec, upload };
}
