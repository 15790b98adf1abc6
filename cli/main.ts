import { Command, InvalidArgumentError, Option } from 'commander';
import { createApi } from './api.ts';
import { type ConnectionFlags, defaultConfigPath, resolveConnection } from './config.ts';
import { runLocalTool } from './local.ts';
import { reviews, status } from './reads.ts';
import { upload } from './upload.ts';

const positiveInt = (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('a whole number, at least 1');
  return n;
};
const seconds = (value: string) => {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError('seconds, 0 or more');
  return n;
};

const program = new Command('docstream')
  .description('Upload documents to docstream and look after them')
  .option('--url <url>', 'the API (else DOCSTREAM_URL, the config file, http://127.0.0.1:3000)')
  .option('--key <key>', 'an API key (else DOCSTREAM_API_KEY, the config file)')
  .option(
    '--config <file>',
    `a JSON config file with "url" and "key" (default ${defaultConfigPath()})`,
  )
  .enablePositionalOptions()
  .showHelpAfterError();

const api = async () => createApi(await resolveConnection(program.opts<ConnectionFlags>()));

program
  .command('upload')
  .description('upload a folder or files as one batch, follow it to completion, and summarise')
  .argument('<paths...>', 'files, or folders to upload everything in (recursively)')
  .option('-c, --concurrency <n>', 'files sent at once', positiveInt, 4)
  .option('--batch <id>', 'continue this batch: send only the files it does not hold yet')
  .option('--state <file>', 'a resume file: continues the batch it names, and records this run')
  .option('--name <name>', 'a name for a new batch')
  .option(
    '--exclude <glob>',
    'leave out files matching this glob, e.g. "**/*.json" (repeatable)',
    (glob: string, globs: string[]) => [...globs, glob],
    [] as string[],
  )
  .option('--no-wait', 'close the batch and stop, without waiting for it to complete')
  .addOption(
    new Option('--timeout <seconds>', 'give up waiting after this long (0: never)')
      .argParser(seconds)
      .default(0),
  )
  .action(async (paths: string[], options) => {
    process.exitCode = await upload(await api(), paths, options);
  });

program
  .command('status')
  .description("a document's state and its timeline")
  .argument('<documentId>')
  .action(async (documentId: string) => {
    await status(await api(), documentId, process.stdout);
  });

program
  .command('reviews')
  .description('the open patient-match reviews, oldest first')
  .option('--limit <n>', 'at most this many', positiveInt, 50)
  .action(async ({ limit }: { limit: number }) => {
    await reviews(await api(), limit, process.stdout);
  });

// The admin tools below run on this machine against Kafka and PostgreSQL (configured by the same
// environment as the server), not through the API.
const passThrough = (name: 'keys' | 'dlq' | 'rebuild', description: string) =>
  program
    .command(name)
    .description(`${description} (local: runs the admin tool of this checkout)`)
    .helpOption(false)
    .allowUnknownOption()
    .allowExcessArguments()
    .passThroughOptions()
    .argument('[args...]')
    .action(async (args: string[]) => {
      process.exitCode = await runLocalTool(name, args);
    });

passThrough('keys', 'API keys: create --tenant t --roles r,r | list [--tenant t] | revoke <id>');
passThrough('dlq', 'dead letters: list <processor> | redrive <processor> [<partition:offset>…]');
passThrough(
  'rebuild',
  'fold a read model (or all) again beside the live one and swap it in: <read model|all>',
);

try {
  await program.parseAsync();
} catch (error) {
  process.stderr.write(`docstream: ${(error as Error).message}\n`);
  process.exitCode = process.exitCode || 1;
}
