import type { FastifyRequest } from 'fastify';

/** Where the API lives, as the request reached it: FHIR's base is `<api>/fhir`. */
export const apiBase = (request: FastifyRequest) => `${request.protocol}://${request.host}`;
export const fhirBase = (request: FastifyRequest) => `${apiBase(request)}/fhir`;
export const selfUrl = (request: FastifyRequest) => `${apiBase(request)}${request.url}`;
