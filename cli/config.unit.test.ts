import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_URL, resolveConnection } from './config.ts';

describe('where the command line finds the API and its key', () => {
  let home: string;
  let file: string;
  beforeAll(async () => {
    home = await mkdtemp(path.join(tmpdir(), 'docstream-cli-config-'));
    file = path.join(home, 'docstream', 'config.json');
    await writeFile(
      path.join(home, 'other.json'),
      JSON.stringify({ url: 'http://other', key: 'k3' }),
    );
    await mkdir(path.dirname(file));
    await writeFile(file, JSON.stringify({ url: 'http://from-file', key: 'k1' }));
  });
  afterAll(() => rm(home, { recursive: true, force: true }));

  it('takes flags over the environment over the config file', async () => {
    const env = { XDG_CONFIG_HOME: home };
    expect(await resolveConnection({}, env)).toEqual({ url: 'http://from-file', key: 'k1' });
    expect(
      await resolveConnection({}, { ...env, DOCSTREAM_URL: 'http://env', DOCSTREAM_API_KEY: 'k2' }),
    ).toEqual({ url: 'http://env', key: 'k2' });
    expect(
      await resolveConnection({ url: 'http://flag', key: 'kf' }, { ...env, DOCSTREAM_URL: 'x' }),
    ).toEqual({ url: 'http://flag', key: 'kf' });
    expect(await resolveConnection({ config: path.join(home, 'other.json') }, env)).toEqual({
      url: 'http://other',
      key: 'k3',
    });
  });

  it('defaults the URL, insists on a key, and refuses a named config file it cannot read', async () => {
    const none = { XDG_CONFIG_HOME: path.join(home, 'nowhere') };
    expect(await resolveConnection({ key: 'k' }, none)).toEqual({ url: DEFAULT_URL, key: 'k' });
    await expect(resolveConnection({}, none)).rejects.toThrow(/no API key/);
    await expect(
      resolveConnection({ key: 'k', config: path.join(home, 'missing.json') }, none),
    ).rejects.toThrow(/cannot read the config file/);
  });
});
