import { describe, expect, it } from 'vitest';
import { permanent } from '../processors/runtime/processor.ts';
import { createBreakers, DependencyUnavailableError } from './breakers.ts';

describe('breakers', () => {
  it('opens after repeated failures, refuses calls, and closes after a good trial', async () => {
    const breakers = createBreakers({ resetMs: 50 });
    let failing = true;
    const ocr = breakers.guard('ocr', async (page: number) => {
      if (failing) throw new Error('pool crashed');
      return page * 2;
    });
    for (let i = 0; i < 3; i++) await expect(ocr(i)).rejects.toThrow('pool crashed');
    expect(breakers.states()).toEqual({ ocr: 'open' });

    const refused = await ocr(9).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(DependencyUnavailableError);
    failing = false;
    await (refused as DependencyUnavailableError).trial();
    expect(breakers.states()).toEqual({ ocr: 'half-open' });
    expect(await ocr(21)).toBe(42);
    expect(breakers.states()).toEqual({ ocr: 'closed' });
    breakers.shutdown();
  });

  it('does not count permanent failures against the dependency', async () => {
    const breakers = createBreakers({ resetMs: 50 });
    const blobs = breakers.guard('blob-store', async () => {
      throw permanent('blob missing');
    });
    for (let i = 0; i < 5; i++) await expect(blobs()).rejects.toThrow('blob missing');
    expect(breakers.states()).toEqual({ 'blob-store': 'closed' });
    breakers.shutdown();
  });
});
