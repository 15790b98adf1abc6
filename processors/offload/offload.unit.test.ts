import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { createOffloadPool, inlineOffload } from './offload.ts';

describe('the offload pool', () => {
  // Every input goes to a worker thread.
  const pool = createOffloadPool({ threads: 1, minBytes: 0 });
  afterAll(() => pool.close());

  it('answers on a worker thread what the caller would have answered', async () => {
    const text = 'RESULTADOS DE LABORATORIO\nGlucosa 126 mg/dL (70 - 100) ALTO\n';
    const input = { text, hint: null };

    const onWorker = await pool.run('classifyText', input, text.length);
    const inline = await inlineOffload.run('classifyText', input, text.length);

    expect(onWorker).toEqual(inline);
    expect(onWorker.documentType).toBe('lab-result');
  });

  // Linux: each thread's nice value is the 17th field after its name in /proc/self/task/<id>/stat.
  it.runIf(existsSync('/proc/thread-self'))(
    'runs its workers below the thread that serves requests',
    async () => {
      await pool.run('checkText', Buffer.from('Sodio 140 mmol/L'), 16);
      const niceOf = (tid: string) => {
        const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
        return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
      };
      const nices = readdirSync('/proc/self/task').map(niceOf);
      expect(niceOf(String(process.pid))).toBe(0);
      expect(nices).toContain(10);
    },
  );

  it('hands a worker bytes and gets back plain data', async () => {
    const bytes = Buffer.from('  \n\t ');
    expect(await pool.run('checkText', bytes, bytes.length)).toMatchObject({
      ok: false,
      reason: 'TEXT_EMPTY',
    });
  });
});

describe('handing bytes over to a worker', () => {
  const pool = createOffloadPool({ threads: 1, minBytes: 0 });
  afterAll(() => pool.close());

  it('moves bytes that own their memory, and answers the same', async () => {
    // A view of the whole of its own memory, as a large file's bytes are.
    const bytes = Buffer.from(new TextEncoder().encode('Sodio 140 mmol/L\n').buffer);
    const copy = Buffer.from(bytes);
    const pages = await pool.run('plainTextPages', { bytes, pageMaxBytes: 1024 }, bytes.length, {
      handOver: bytes,
    });
    expect(pages[0]?.text).toBe(copy.toString('utf8').trim());
    expect(bytes.byteLength).toBe(0);
  });

  it('copies bytes that are a slice of larger memory, leaving the caller its bytes', async () => {
    const memory = Buffer.from('xxSodio 140 mmol/L');
    const bytes = memory.subarray(2);
    await pool.run('checkText', bytes, bytes.length, { handOver: bytes });
    expect(bytes.toString('utf8')).toBe('Sodio 140 mmol/L');
  });
});
