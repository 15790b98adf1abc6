import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build, type Plugin } from 'esbuild';

/**
 * What `npm start` runs: `system/main.ts` and every module of ours it imports, in one JavaScript
 * file. A start then compiles one file instead of sending each of our modules through tsx's
 * loader (on two cores, 4.8 s of loading fell to about 2.5 s). Packages stay outside, loaded from
 * node_modules as they are.
 */
export const MAIN_BUNDLE = fileURLToPath(new URL('../dist/main.mjs', import.meta.url));
/** Node.js's arguments that run it; source maps on, so stack traces name the TypeScript lines. */
export const MAIN_ARGS: readonly string[] = ['--enable-source-maps', MAIN_BUNDLE];

const ENTRY = fileURLToPath(new URL('./main.ts', import.meta.url));

// Our modules find files beside them from `import.meta.url` (migrations, Avro schemas, the offload
// worker, the review app): in the bundle each keeps the URL of the file it is written in.
const sourceUrls: Plugin = {
  name: 'source-import-meta-url',
  setup(bundle) {
    bundle.onLoad({ filter: /\.ts$/ }, async ({ path: file }) => {
      const source = await readFile(file, 'utf8');
      const url = JSON.stringify(pathToFileURL(file).href);
      return { contents: source.replaceAll('import.meta.url', url), loader: 'ts' };
    });
  },
};

/** Builds `MAIN_BUNDLE` from the sources as they are now. */
export async function buildMain(): Promise<void> {
  const { outputFiles } = await build({
    entryPoints: [ENTRY],
    outfile: MAIN_BUNDLE,
    bundle: true,
    packages: 'external',
    platform: 'node',
    format: 'esm',
    target: 'node20',
    sourcemap: 'linked',
    plugins: [sourceUrls],
    write: false,
    logLevel: 'warning',
  });
  await mkdir(path.dirname(MAIN_BUNDLE), { recursive: true });
  // Written aside, then renamed: a process started while another builds never reads half a file.
  await Promise.all(
    outputFiles.map(async ({ path: file, contents }) => {
      const aside = `${file}.${process.pid}.tmp`;
      await writeFile(aside, contents);
      await rename(aside, file);
    }),
  );
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await buildMain();
