/**
 * Whether applying one event failed because of that event (its statements break a constraint,
 * its handler throws, what it refers to is gone), as opposed to the database or the network
 * failing for every event alike. Only the former are retried a few times and dead-lettered; the
 * latter fail the batch, which is applied again once the consumer is back.
 */
export function isEventFault(error: unknown): boolean {
  if (String((error as { name?: unknown } | null)?.name).startsWith('KafkaJS')) return false;
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string') {
    if (/^[0-9A-Z]{5}$/.test(code)) return !INFRASTRUCTURE_CLASSES.has(code.slice(0, 2));
    // Node's system errors (ECONNRESET, ETIMEDOUT, …): the connection, not the event; a missing
    // file is the event's own (a blob it refers to that is not there).
    if (/^E[A-Z]+$/.test(code)) return code === 'ENOENT';
  }
  const message = String((error as { message?: unknown } | null)?.message ?? '');
  return !/connection (terminated|ended|error)|Client has encountered a connection error/i.test(
    message,
  );
}

/**
 * SQLSTATE classes of the server and the session rather than the statement: connection (08),
 * transaction rollback such as a deadlock (40), lock or state (55), resources (53), operator
 * intervention such as a restart (57), system (58) and internal (XX) errors.
 */
const INFRASTRUCTURE_CLASSES = new Set(['08', '40', '53', '55', '57', '58', 'XX']);

/**
 * Why an event was dead-lettered, in words safe to log and keep: for a database error its
 * SQLSTATE, constraint, table and column, never its message, which may quote the row's values.
 */
export function faultReason(error: unknown, tries: number): string {
  const e = (error ?? {}) as Record<string, unknown>;
  const after = `after ${tries} ${tries === 1 ? 'try' : 'tries'}`;
  if (typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code)) {
    const parts = [
      `SQLSTATE ${e.code}`,
      typeof e.constraint === 'string' ? `constraint ${e.constraint}` : '',
      typeof e.table === 'string' ? `table ${e.table}` : '',
      typeof e.column === 'string' ? `column ${e.column}` : '',
    ].filter(Boolean);
    return `statement failed ${after}: ${parts.join(', ')}`;
  }
  const name = typeof e.name === 'string' ? e.name : 'Error';
  return `event failed ${after}: ${name}: ${String(e.message ?? error)}`;
}
