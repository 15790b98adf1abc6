import { describe, expect, it } from 'vitest';
import { type BlockOutline, readAsColumns } from './page-columns.ts';

const block = (x0: number, y0: number, x1: number, y1: number, lines: number): BlockOutline => ({
  box: { x0, y0, x1, y1 },
  lines,
});

describe('a page read as columns', () => {
  it('given blocks of several lines side by side over the same height, is one', () => {
    const tests = block(100, 800, 500, 1000, 5);
    const results = block(600, 810, 700, 990, 4);
    expect(readAsColumns([block(100, 100, 1900, 300, 4), tests, results])).toBe(true);
  });

  it('given blocks one under the other, is not', () => {
    const header = block(100, 100, 1900, 300, 4);
    const table = block(100, 400, 1900, 900, 8);
    expect(readAsColumns([header, table])).toBe(false);
  });

  it('given a header with one line on the left and one on the right, is not', () => {
    const left = block(100, 100, 800, 140, 1);
    const right = block(1000, 100, 1900, 140, 1);
    expect(readAsColumns([left, right, block(100, 400, 1900, 900, 8)])).toBe(false);
  });

  it('given blocks side by side that share little of their height, is not', () => {
    const upper = block(100, 100, 800, 400, 5);
    const lower = block(900, 350, 1900, 900, 8);
    expect(readAsColumns([upper, lower])).toBe(false);
  });
});
