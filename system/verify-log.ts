import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../infra/config.ts';
import { PUBLIC_KEY_FILE } from '../infra/log-digest/export-format.ts';
import { keyIdOf } from '../infra/log-digest/signing.ts';
import { loadSigningKey, publicKeyPem, readPublicKey } from '../infra/log-digest/signing-key.ts';
import { connectToLog } from './log-digest/connect.ts';
import { describeReports, verifyExport, verifyLive } from './log-digest/verify.ts';

// `npm run verify-log` checks the live cluster; `npm run verify-log -- <dir>` an exported copy.
// `--public-key <file>`: the published key to trust (default: the copy's own, or the configured one).
const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { 'public-key': { type: 'string' } },
});
const [dir] = positionals;
const config = loadConfig();

async function publicKey() {
  const file = values['public-key'] ?? (dir ? path.join(dir, PUBLIC_KEY_FILE) : undefined);
  if (file) return readPublicKey(await readFile(file, 'utf8'), file);
  return loadSigningKey({ ...config.logDigest.signingKey, createIfMissing: false });
}

const key = await publicKey();
console.log(`public key ${keyIdOf(key)} (Ed25519; compare with GET /log/public-key):`);
console.log(publicKeyPem(key).trim());
let reports: Awaited<ReturnType<typeof verifyExport>>;
if (dir) {
  console.log(`verifying the copy in ${dir}`);
  reports = await verifyExport(dir, key);
} else {
  console.log(
    `verifying the live log of ${config.kafka.brokers.join(',')} (prefix ${config.topics.prefix})`,
  );
  const log = await connectToLog(config);
  try {
    reports = await verifyLive(log, config.topics.prefix, key);
  } finally {
    await log.close();
  }
}
const { lines, failed } = describeReports(reports);
for (const line of lines) console.log(line);
console.log(
  failed ? 'verification FAILED' : `verified: ${reports.length} partitions, no record differs`,
);
process.exit(failed ? 1 : 0);
