import type { Box } from './lab-cells.ts';

/** A text block tesseract found on a page: where it lies and how many lines it holds. */
export interface BlockOutline {
  readonly box: Box;
  readonly lines: number;
}

/** Lines a block needs before it is taken for a column of a table, not a header's cell. */
export const MIN_COLUMN_LINES = 3;

const overlap = (a: Box, b: Box) => Math.min(a.y1, b.y1) - Math.max(a.y0, b.y0);

/**
 * Whether tesseract's automatic layout cut a table into columns: two blocks of several lines
 * side by side, over the same height of the page. Read so, a row's cells come out one column
 * after the other, far apart in the text, and no row can be told from them.
 */
export function readAsColumns(blocks: readonly BlockOutline[]): boolean {
  const tall = blocks.filter((block) => block.lines >= MIN_COLUMN_LINES);
  return tall.some((left) =>
    tall.some((right) => {
      if (left === right || left.box.x1 > right.box.x0) return false;
      const shorter = Math.min(left.box.y1 - left.box.y0, right.box.y1 - right.box.y0);
      return shorter > 0 && overlap(left.box, right.box) >= shorter / 2;
    }),
  );
}
