import { loadConfig } from '../infra/config.ts';
import { loadSigningKey } from '../infra/log-digest/signing-key.ts';
import { connectToLog } from './log-digest/connect.ts';
import { exportLog } from './log-digest/export.ts';

// `npm run export-log -- <dir>`: every topic's records (exact bytes, base64) and the digests.
const [dir] = process.argv.slice(2);
if (!dir) {
  console.error('usage: npm run export-log -- <dir>');
  process.exit(2);
}
const config = loadConfig();
const key = await loadSigningKey({ ...config.logDigest.signingKey, createIfMissing: false });
const log = await connectToLog(config);
try {
  const manifest = await exportLog(log, config.topics.prefix, key, dir);
  const records = manifest.partitions.reduce((n, p) => n + p.records, 0);
  console.log(
    `exported ${records} records of ${manifest.partitions.length} partitions to ${dir} (key ${manifest.keyId})`,
  );
} finally {
  await log.close();
}
