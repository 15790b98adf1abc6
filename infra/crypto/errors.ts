/** The subject's data keys were destroyed (erasure): what they sealed is gone for good. */
export class KeyDestroyedError extends Error {
  readonly retriable = false;
  readonly code = 'KEY_DESTROYED';
  constructor(
    readonly tenantId: string,
    readonly subject: string,
  ) {
    super(`the data key of ${subject} was destroyed`);
    this.name = 'KeyDestroyedError';
  }
}

/** Bytes that are not a ciphertext of ours, or were altered: decryption refuses them whole. */
export class CiphertextInvalidError extends Error {
  readonly retriable = false;
  readonly code = 'CIPHERTEXT_INVALID';
  constructor(reason: string, options?: ErrorOptions) {
    super(`ciphertext refused: ${reason}`, options);
    this.name = 'CiphertextInvalidError';
  }
}

/** No key-encryption key is configured, or the one configured is not the key store's. */
export class KeyEncryptionKeyError extends Error {
  readonly retriable = false;
  constructor(
    readonly code: 'KEK_MISSING' | 'KEK_INVALID' | 'KEK_MISMATCH',
    message: string,
  ) {
    super(message);
    this.name = 'KeyEncryptionKeyError';
  }
}
