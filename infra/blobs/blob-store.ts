import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { chmod, link, mkdir, readFile, rm, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Encryption } from '../crypto/encryption.ts';
import { documentSubject } from '../crypto/envelope.ts';
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
  /**
   * Seals staged bytes with `documentId`'s data key and puts them at the tenant's address for
   * their content; `created` is false when they were there already (sealed for the document
   * that stored them first).
   */
  commit(
    staged: StagedBlob,
    tenantId: string,
    documentId: string,
  ): Promise<{ ref: string; created: boolean }>;
  discard(staged: StagedBlob): Promise<void>;
  remove(tenantId: string, ref: string): Promise<void>;
  exists(tenantId: string, ref: string): Promise<boolean>;
  /** The plaintext as a stream (opened whole first: the tag is checked before any byte flows). */
  open(tenantId: string, ref: string): Readable;
  /** The whole blob, for parsers that need all the bytes at once; BlobMissingError if absent. */
  read(tenantId: string, ref: string): Promise<Buffer>;
  /** Stores bytes a processor produced for a document (extracted text) and returns their address. */
  put(tenantId: string, bytes: Buffer, documentId: string): Promise<string>;
}

/** The ports processors and projections get: read a blob, store what they produce. */
export type BlobReader = Pick<BlobStore, 'read'>;
export type BlobReaderWriter = Pick<BlobStore, 'read' | 'put'>;

/** Addresses of sealed blobs: a keyed hash of the content, per tenant. */
const SEALED_REF = /^hmac-sha256:([0-9a-f]{64})$/;
/** Addresses of blobs stored in the clear before blobs were sealed: read as they are. */
const PLAIN_REF = /^sha256:([0-9a-f]{64})$/;
/** What a sealed blob's key binds it to. */
export const BLOB_PURPOSE = 'blob';

export const sealedBlobRef = (address: string) => `hmac-sha256:${address}`;

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

const FILE_MODE = 0o600;
const DIR_MODE = 0o700;

/**
 * Content-addressed store on the local filesystem: `<dir>/<tenant>/<address[0:2]>/<address>`,
 * where the address is an HMAC of the content's SHA-256 under a key derived for the tenant, so
 * equal files dedupe within a tenant and an address says nothing across tenants. Each file is
 * sealed (AES-256-GCM) with the data key of the document that stored it: destroying that key
 * erases the file, backups included. Files are 0600 under 0700 directories; staged bytes are
 * plaintext only while a request or a processor holds them.
 */
export function createFileBlobStore(dir: string, encryption: Encryption): BlobStore {
  const staging = path.join(dir, '.staging');

  const locate = (tenantId: string, ref: string) => {
    const match = SEALED_REF.exec(ref) ?? PLAIN_REF.exec(ref);
    if (!match?.[1] || !/^[A-Za-z0-9_-]+$/.test(tenantId)) throw new Error(`bad blob address`);
    return path.join(dir, tenantId, match[1].slice(0, 2), match[1]);
  };

  /** `target` and every directory up to the store's own, 0700 whatever the umask or their past. */
  const makeDir = async (target: string) => {
    await mkdir(target, { recursive: true, mode: DIR_MODE });
    for (let at = target; ; at = path.dirname(at)) {
      await chmod(at, DIR_MODE);
      if (at === dir || !at.startsWith(dir)) break;
    }
  };

  const store: BlobStore = {
    async stage(source, maxBytes) {
      await makeDir(staging);
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
        await pipeline(source, meter, createWriteStream(target, { flags: 'wx', mode: FILE_MODE }));
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

    async commit(staged, tenantId, documentId) {
      const ref = sealedBlobRef(encryption.contentAddress(tenantId, staged.sha256));
      const target = locate(tenantId, ref);
      await makeDir(path.dirname(target));
      const sealing = `${target}.${randomUUID()}.sealing`;
      try {
        if (await store.exists(tenantId, ref)) return { ref, created: false };
        await pipeline(
          createReadStream(staged.path),
          await encryption.sealingStream(documentSubject(tenantId, documentId), BLOB_PURPOSE),
          createWriteStream(sealing, { flags: 'wx', mode: FILE_MODE }),
        );
        // link() fails if the target exists, so concurrent writers of the same content never clash.
        await link(sealing, target);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        return { ref, created: false };
      } finally {
        await unlink(sealing).catch(() => {});
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
      return Readable.from(
        (async function* () {
          yield await store.read(tenantId, ref);
        })(),
      );
    },

    async read(tenantId, ref) {
      let stored: Buffer;
      try {
        stored = await readFile(locate(tenantId, ref));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
          throw new BlobMissingError(ref, { cause: error });
        }
        throw error;
      }
      if (PLAIN_REF.test(ref)) return stored;
      return encryption.decrypt(stored, { tenantId, purpose: BLOB_PURPOSE });
    },

    async put(tenantId, bytes, documentId) {
      const staged = await store.stage(Readable.from([bytes]), Number.MAX_SAFE_INTEGER);
      return (await store.commit(staged, tenantId, documentId)).ref;
    },
  };
  return store;
}
