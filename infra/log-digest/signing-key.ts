import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
} from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../config.ts';

export class SigningKeyError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'SigningKeyError';
  }
}

function ed25519(pem: string, where: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch (cause) {
    throw new SigningKeyError(`${where}: not a PEM private key`, { cause });
  }
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new SigningKeyError(`${where}: an Ed25519 key is needed, not ${key.asymmetricKeyType}`);
  }
  return key;
}

/**
 * The log signing key from the configuration: inline, else its file. The default file in the data
 * directory is made (mode 0600) when missing; a file named by LOG_SIGNING_KEY_FILE never is.
 */
export async function loadSigningKey(
  settings: Config['logDigest']['signingKey'],
): Promise<KeyObject> {
  if (settings.pem) return ed25519(settings.pem, 'LOG_SIGNING_KEY');
  try {
    return ed25519(await readFile(settings.file, 'utf8'), settings.file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    if (!settings.createIfMissing) {
      throw new SigningKeyError(`log signing key ${settings.file} does not exist`, {
        cause: error,
      });
    }
  }
  const { privateKey } = generateKeyPairSync('ed25519');
  await mkdir(path.dirname(settings.file), { recursive: true, mode: 0o700 });
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
  // `wx`: two processes starting at once must not each write a key of their own.
  await writeFile(settings.file, pem, { mode: 0o600, flag: 'wx' }).catch(async (error) => {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  });
  return ed25519(await readFile(settings.file, 'utf8'), settings.file);
}

export const publicKeyPem = (key: KeyObject): string =>
  (key.type === 'private' ? createPublicKey(key) : key).export({
    type: 'spki',
    format: 'pem',
  }) as string;

export function readPublicKey(pem: string, where: string): KeyObject {
  try {
    const key = createPublicKey(pem);
    if (key.asymmetricKeyType === 'ed25519') return key;
  } catch (cause) {
    throw new SigningKeyError(`${where}: not a PEM public key`, { cause });
  }
  throw new SigningKeyError(`${where}: an Ed25519 public key is needed`);
}
