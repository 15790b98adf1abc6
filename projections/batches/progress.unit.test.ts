import { describe, expect, it } from 'vitest';
import { countFiles, type FileState, isComplete } from './progress.ts';

const file = (status: string | null, matchStatus: string | null = null): FileState => ({
  status,
  matchStatus,
});

describe('batch progress', () => {
  it('counts stopped files as failed and decided files by their patient decision', () => {
    const files = [
      file('rejected'),
      file('failed'),
      file('classified', 'matched'),
      file('classified', 'registered'),
      file('classified', 'review'),
      file('classified', 'rejected'),
      file('classified'),
      file(null),
    ];
    expect(countFiles(files)).toEqual({
      files: 8,
      processed: 6,
      failed: 2,
      matched: 1,
      created: 1,
      inReview: 1,
      pending: 2,
    });
  });

  it('counts a file stopped by the chain once, as failed, whatever its patient decision', () => {
    expect(countFiles([file('rejected', 'matched')])).toMatchObject({
      processed: 1,
      failed: 1,
      matched: 0,
    });
  });

  it('completes when all the files closed with are known and terminal', () => {
    const done = [file('rejected'), file('classified', 'matched')];
    expect(isComplete(2, done)).toBe(true);
    expect(isComplete(3, done)).toBe(false);
    expect(isComplete(2, [file('rejected'), file('classified')])).toBe(false);
    expect(isComplete(0, [])).toBe(true);
  });
});
