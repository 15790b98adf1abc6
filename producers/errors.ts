import { DocstreamError } from '../infra/errors.ts';

/** The log refused or never acknowledged an event: nothing was appended, the command may be retried. */
export const eventLogUnavailable = (cause: unknown) =>
  new DocstreamError(
    'unavailable',
    'EVENT_LOG_UNAVAILABLE',
    'the event log did not accept the event',
    {
      cause,
    },
  );
