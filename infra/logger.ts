import { type DestinationStream, type Logger, pino } from 'pino';

export type { Logger };

/**
 * Paths that may hold personal health data. File names of hospital exports carry patient
 * names, so they are redacted like identifiers and extracted text.
 */
const PHI_PATHS = [
  'fileName',
  'filename',
  'externalPatientId',
  'patientName',
  'text',
  'query',
  'exportName',
  'recordNumber',
  '*.exportName',
  '*.recordNumber',
  '*.fileName',
  '*.filename',
  '*.externalPatientId',
  '*.patientName',
  '*.text',
  'req.headers.authorization',
  'req.headers["x-api-key"]',
];

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      name: 'docstream',
      level,
      redact: { paths: PHI_PATHS, censor: '[redacted]' },
      serializers: {
        // Query strings can carry search terms and patient identifiers: log the path only.
        req: (req: { method: string; url: string; id: string }) => ({
          id: req.id,
          method: req.method,
          path: req.url.split('?')[0],
        }),
        err: pino.stdSerializers.err,
      },
    },
    destination,
  );
}
