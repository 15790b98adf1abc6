import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';

/** The AsyncAPI document of the topics, as JSON text, served like the API's own docs. */
export const asyncApiRoutes: FastifyPluginAsyncTypebox<{ document: string }> = async (
  app,
  { document },
) => {
  app.get(
    '/asyncapi.json',
    {
      config: { access: 'ops' },
      schema: {
        summary: 'The AsyncAPI 3 contract of the Kafka topics downstream systems read',
        response: {
          // Sent as the JSON text it already is: the handler's value is a string.
          200: Type.Unsafe<string>(
            Type.Object({ asyncapi: Type.String() }, { additionalProperties: true }),
          ),
        },
      },
    },
    async (_request, reply) => reply.type('application/json; charset=utf-8').send(document),
  );
};
