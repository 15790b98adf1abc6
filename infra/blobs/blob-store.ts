import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { link, mkdir, readFile, rm, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DocstreamError } from '../errors.ts';

/** How many leading bytes a staged file keeps in memory, for deciding its type from content. */
export const HEAD_BYTES = 4100;

/** Bytes received and hashed but not yet part of any document. */
export interface StagedBlob {
  readonly sha256: string;
  readonly sizeBytes: number;
  /** The first bytes, for sniffing the content type. */
  readonly head: Buffer;
  readonly path: string;
}

export interface BlobStore {
  /** Streams to a staging file while hashing; never holds the whole file in memory. */
  stage(source: Readable, maxBytes: number): Promise<StagedBlob>;
  /** Puts staged bytes at their content address; `created` is false when they were there already. */
  commit(staged: StagedBlob, tenantId: string): Promise<{ ref: string; created: boolean }>;
  discard(staged: StagedBlob): Promise<void>;
  remove(tenantId: string, ref: string): Promise<void>;
  exists(tenantId: string, ref: string): Promise<boolean>;
  open(tenantId: string, ref: string): Readable;
  /** The whole blob, for parsers that need all the bytes at once; BlobMissingError if absent. */
  read(tenantId: string, ref: string): Promise<Buffer>;
  /** Stores bytes a processor produced (extracted text) and returns their address. */
  put(tenantId: string, bytes: Buffer): Promise<string>;
}

/** The ports processors and projections get: read a blob, store what they produce. */
export type BlobReader = Pick<BlobStore, 'read'>;
export type BlobReaderWriter = Pick<BlobStore, 'read' | 'put'>;

export const blobRef = (sha256: string) => `sha256:${sha256}`;

/** The blob is not in the store: no retry will bring it back. */
export class BlobMissingError extends Error {
  readonly retriable = false;
  constructor(ref: string, options?: ErrorOptions) {
    super(`blob ${ref} is not in the blob store`, options);
    this.name = 'BlobMissingError';
  }
}

export function fileTooLarge(maxBytes: number) {
  return new DocstreamError('too-large', 'FILE_TOO_LARGE', `file exceeds ${maxBytes} bytes`);
}

/** Content-addressed store on the local filesystem: `<dir>/<tenant>/<sha[0:2]>/<sha>`. */
export function createFileBlobStore(dir: string): BlobStore {
  const staging = path.join(dir, '.staging');

  const locate = (tenantId: string, ref: string) => {
    const match = /^sha256:([0-9a-f]{64})$/.exec(ref);
    if (!match?.[1] || !/^[A-Za-z0-9_-]+$/.test(tenantId)) throw new Error(`bad blob address`);
    return path.join(dir, tenantId, match[1].slice(0, 2), match[1]);
  };

  const store: BlobStore = {
    async stage(source, maxBytes) {
      await mkdir(staging, { recursive: true });
      const target = path.join(staging, randomUUID());
      const hash = createHash('sha256');
      const head: Buffer[] = [];
      let size = 0;
      let headSize = 0;
      const meter = new Transform({
        transform(chunk: Buffer, _enc, done) {
          size += chunk.length;
          if (size > maxBytes) return done(fileTooLarge(maxBytes));
          hash.update(chunk);
          if (headSize < HEAD_BYTES) {
            head.push(chunk.subarray(0, HEAD_BYTES - headSize));
            headSize += Math.min(chunk.length, HEAD_BYTES - headSize);
          }
          done(null, chunk);
        },
      });
      try {
        await pipeline(source, meter, createWriteStream(target, { flags: 'wx' }));
      } catch (error) {
        await rm(target, { force: true });
        throw error;
      }
      return {
        sha256: hash.digest('hex'),
        sizeBytes: size,
        head: Buffer.concat(head),
        path: target,
      };
    },

    async commit(staged, tenantId) {
      const ref = blobRef(staged.sha256);
      const target = locate(tenantId, ref);
      await mkdir(path.dirname(target), { recursive: true });
      try {
        // link() fails if the target exists, so concurrent writers of the same content never clash.
        await link(staged.path, target);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        return { ref, created: false };
      } finally {
        await unlink(staged.path).catch(() => {});
      }
      return { ref, created: true };
    },

    async discard(staged) {
      await rm(staged.path, { force: true });
    },

    async remove(tenantId, ref) {
      await rm(locate(tenantId, ref), { force: true });
    },

    async exists(tenantId, ref) {
      return stat(locate(tenantId, ref)).then(
        () => true,
        () => false,
      );
    },

    open(tenantId, ref) {
      return createReadStream(locate(tenantId, ref));
    },

    async read(tenantId, ref) {
      try {
        return await readFile(locate(tenantId, ref));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
          throw new BlobMissingError(ref, { cause: error });
        }
        throw error;
      }
    },

    async put(tenantId, bytes) {
      const staged = await store.stage(Readable.from([bytes]), Number.MAX_SAFE_INTEGER);
      return (await store.commit(staged, tenantId)).ref;
    },
  };
  return store;
}
