import { parseArgs } from 'node:util';
import { createApiKeyStore } from '../api/auth/api-keys.ts';
import { isRole, ROLES } from '../api/auth/principal.ts';
import { loadConfig } from '../infra/config.ts';
import { createLogger } from '../infra/logger.ts';
import { createPool, migrate } from '../infra/postgres.ts';
import { TENANT_ID_PATTERN } from '../producers/upload/fields.ts';

// `npm run --silent keys -- create --tenant <tenant> --roles <role,role> [--days 365] [--name n]`
// prints the new key alone on stdout (it is shown once: only its hash is kept);
// `keys list [--tenant t]`; `keys revoke <id>`.
const USAGE = `usage: keys create --tenant <tenant> --roles <${ROLES.join(',')}> [--days <n>] [--name <name>]
       keys list [--tenant <tenant>]
       keys revoke <id>`;

const fail = (message: string, code = 2): never => {
  process.stderr.write(`${message}\n`);
  process.exit(code);
};

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    tenant: { type: 'string' },
    roles: { type: 'string' },
    days: { type: 'string', default: '365' },
    name: { type: 'string' },
  },
});
const [command, ...rest] = positionals;

const config = loadConfig();
// Logs go to stderr, so that stdout carries only what the command answers.
const logger = createLogger('warn', process.stderr);
await migrate(config.database, logger);
const pool = createPool(config.database.url, 1);
const keys = createApiKeyStore(pool);

try {
  if (command === 'create') {
    const tenantId = values.tenant ?? fail(`--tenant is required\n${USAGE}`);
    if (!new RegExp(TENANT_ID_PATTERN).test(tenantId))
      fail('--tenant: 1-64 letters, digits, - or _');
    const roles = (values.roles ?? fail(`--roles is required\n${USAGE}`)).split(',');
    const unknown = roles.filter((r) => !isRole(r));
    if (unknown.length > 0)
      fail(`unknown roles: ${unknown.join(', ')} (roles: ${ROLES.join(', ')})`);
    const days = Number(values.days);
    if (!Number.isInteger(days) || days < 1) fail('--days: a whole number of days, at least 1');
    const { key } = await keys.create({
      tenantId,
      roles: roles.filter(isRole),
      name: values.name ?? null,
      expiresAt: new Date(Date.now() + days * 86_400_000),
    });
    process.stdout.write(`${key}\n`);
  } else if (command === 'list') {
    for (const k of await keys.list(values.tenant)) {
      const state = k.revokedAt ? `revoked ${k.revokedAt}` : `expires ${k.expiresAt}`;
      process.stdout.write(
        `${k.id}\t${k.tenantId}\t${k.roles.join(',')}\t${state}\t${k.name ?? ''}\n`,
      );
    }
  } else if (command === 'revoke' && rest[0]) {
    if (!(await keys.revoke(rest[0]))) fail(`no active key ${rest[0]}`, 1);
    process.stdout.write(`revoked ${rest[0]}\n`);
  } else {
    fail(USAGE);
  }
} finally {
  await pool.end();
}
