import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';

export interface LogPublicKey {
  /** The id each LogDigest names its key by. */
  keyId: string;
  /** SPKI, PEM. */
  pem: string;
}

/** The public half of the key the log's digests are signed with: anyone may check them. */
export const logPublicKeyRoutes: FastifyPluginAsyncTypebox<{ key: LogPublicKey }> = async (
  app,
  { key },
) => {
  app.get(
    '/log/public-key',
    {
      config: { access: 'public' },
      schema: {
        summary: 'The Ed25519 public key that verifies the LogDigest records of the digest chain',
        response: {
          200: Type.Object({
            algorithm: Type.Literal('Ed25519'),
            keyId: Type.String({ description: 'As named by each LogDigest (keyId)' }),
            publicKeyPem: Type.String({ description: 'SPKI, PEM' }),
          }),
        },
      },
    },
    async () => ({ algorithm: 'Ed25519' as const, keyId: key.keyId, publicKeyPem: key.pem }),
  );
};
