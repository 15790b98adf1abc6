import { createHash } from 'node:crypto';
import { access, mkdir, symlink } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';

/**
 * Which build of the traineddata to load from the @tesseract.js-data packages: `4.0.0` holds the
 * integer LSTM model beside the legacy one, `4.0.0_best_int` the LSTM model of tessdata_best.
 */
export type LanguageModel = '4.0.0' | '4.0.0_best_int';

const require = createRequire(import.meta.url);

/** The gzipped traineddata file a language's npm package ships. */
export function languageDataFile(language: string, model: LanguageModel): string {
  let packageDir: string;
  try {
    packageDir = path.dirname(require.resolve(`@tesseract.js-data/${language}/package.json`));
  } catch (error) {
    throw new Error(
      `no language data installed for '${language}' (@tesseract.js-data/${language})`,
      {
        cause: error,
      },
    );
  }
  return path.join(packageDir, model, `${language}.traineddata.gz`);
}

/**
 * A directory holding every requested language's traineddata, for tesseract.js's `langPath`.
 * tesseract.js reads all languages from one directory, the npm packages keep one each, so the
 * directory is made of links to the installed files. As a local path (never a URL) it makes
 * tesseract.js read the files from disk: nothing is ever fetched.
 */
export async function languageDataDir(languages: string, model: LanguageModel): Promise<string> {
  const files = languages.split('+').map((language) => ({
    language,
    file: languageDataFile(language, model),
  }));
  for (const { language, file } of files) {
    await access(file).catch((error: unknown) => {
      throw new Error(`no ${model} language data for '${language}' at ${file}`, { cause: error });
    });
  }
  const key = createHash('sha256')
    .update(files.map(({ file }) => file).join('\n'))
    .digest('hex')
    .slice(0, 16);
  const dir = path.join(os.tmpdir(), `docstream-tessdata-${key}`);
  await mkdir(dir, { recursive: true });
  for (const { language, file } of files) {
    await symlink(file, path.join(dir, `${language}.traineddata.gz`)).catch(ignoreExisting);
  }
  return dir;
}

function ignoreExisting(error: NodeJS.ErrnoException) {
  if (error.code !== 'EEXIST') throw error;
}
