import { createHash } from 'node:crypto';
import { BlobMissingError } from '../../infra/blobs/blob-store.ts';

/** The blob store's read and put ports in memory, for unit tests: bytes by tenant and address. */
export function memoryBlobs() {
  const stored = new Map<string, Buffer>();
  const key = (tenantId: string, ref: string) => `${tenantId}/${ref}`;
  const add = (tenantId: string, bytes: Buffer) => {
    const ref = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
    stored.set(key(tenantId, ref), bytes);
    return ref;
  };
  return {
    /** Stores bytes at their content address and returns it. */
    add,
    /** Stores content under a chosen address: a blob that is not what its address says. */
    setAt(tenantId: string, ref: string, content: string | Buffer) {
      stored.set(key(tenantId, ref), Buffer.from(content));
    },
    async put(tenantId: string, bytes: Buffer): Promise<string> {
      return add(tenantId, bytes);
    },
    async read(tenantId: string, ref: string): Promise<Buffer> {
      const bytes = stored.get(key(tenantId, ref));
      if (bytes) return bytes;
      throw new BlobMissingError(ref);
    },
  };
}
