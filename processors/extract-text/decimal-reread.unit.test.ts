import { describe, expect, it } from 'vitest';
import { correctedConfidence, correctedText } from './corrected-page.ts';
import {
  digitsBox,
  isSuspectValue,
  keptRange,
  keptValue,
  type PageLayout,
  type Reading,
  rereadDecimals,
} from './decimal-reread.ts';
import { type Box, labCells, type OcrLine } from './lab-cells.ts';

/** A line as tesseract lays it out: 10 px a character, words one space apart, 30 px high. */
function ocrLine(text: string, row = 0, confidence = 90): OcrLine {
  const y0 = row * 40;
  let x = 0;
  const words = text.split(' ').map((word) => {
    const symbols = [...word].map((ch, i) => ({
      text: ch,
      box: { x0: x + i * 10, y0, x1: x + i * 10 + 9, y1: y0 + 30 },
    }));
    const box = { x0: x, y0, x1: x + word.length * 10 - 1, y1: y0 + 30 };
    x += (word.length + 1) * 10;
    return { text: word, confidence, box, symbols };
  });
  return { text: `${text}\n`, box: { x0: 0, y0, x1: x, y1: y0 + 30 }, words };
}

function page(...texts: string[]): PageLayout {
  const lines = texts.map((text, row) => ocrLine(text, row));
  return { text: texts.join('\n'), confidence: 0.9, lines };
}

/**
 * Answers each second reading by the word its region covers (a list: one answer after the
 * other, as for the two bounds of a range); records what was asked.
 */
function tesseractReading(layout: PageLayout, answers: Record<string, Reading | Reading[]>) {
  const asked: Array<{ word: string; characters: string }> = [];
  const covers = (word: Box, { x0, y0, x1, y1 }: Box) => {
    const [x, y] = [(x0 + x1) / 2, (y0 + y1) / 2];
    return word.x0 <= x && x <= word.x1 && word.y0 <= y && y <= word.y1;
  };
  const reread = async (box: Box, characters: string) => {
    const word = layout.lines
      .flatMap((line) => line.words)
      .find((candidate) => covers(candidate.box, box));
    asked.push({ word: word?.text ?? '?', characters });
    const answer = answers[word?.text ?? ''];
    const reading = Array.isArray(answer) ? answer.shift() : answer;
    return reading ?? { text: word?.text ?? '', confidence: 90 };
  };
  return { reread, asked };
}

describe('lab cells in an OCR line', () => {
  it('finds the value, its glued flag and a one-word range', () => {
    expect(labCells(ocrLine('Potasio 36L mmol/L 3.5-5.1'))).toEqual({
      value: { word: 1, printed: '36' },
      rangeWords: [{ word: 3, printed: '3.5-5.1' }],
      range: { low: 3.5, high: 5.1 },
      flag: 'L',
    });
  });

  it('finds a flag printed before the unit and a range in three words', () => {
    const cells = labCells(ocrLine('Glucosa 110 ALTO mg/dL 70 - 100'));
    expect(cells?.value.printed).toBe('110');
    expect(cells?.flag).toBe('H');
    expect(cells?.rangeWords.map((cell) => cell.printed)).toEqual(['70', '100']);
  });

  it('reads ranges in brackets, in words and with decimal commas, across pipes', () => {
    const cells = labCells(ocrLine('Hemoglobina (%) | 32 | (4,0 a 5,6) | L'));
    expect(cells?.range).toEqual({ low: 4, high: 5.6 });
    expect(cells?.value.printed).toBe('32');
    expect(cells?.flag).toBe('L');
  });

  it('skips a unit with digits between the value and the range', () => {
    expect(labCells(ocrLine('Leucocitos 99 10"3/uL 4.5-11.0'))?.value.printed).toBe('99');
  });

  it('reads a bound alone as a range with one side', () => {
    expect(labCells(ocrLine('Colesterol total 180 mg/dL < 200'))?.range).toEqual({
      low: null,
      high: 200,
    });
  });

  it('finds nothing in a line without a range, in prose, or in a folio and an order number', () => {
    expect(labCells(ocrLine('Glucosa promedio estimada 92 mg/dL'))).toBeNull();
    expect(labCells(ocrLine('Fecha de nacimiento: 25/08/1961 Edad: 60'))).toBeNull();
    expect(labCells(ocrLine('Folio: 760291 Orden: 19-235221'))).toBeNull();
  });
});

describe('which lab values are suspect', () => {
  const range = (low: number | null, high: number | null) => ({ low, high });

  it('is a value that contradicts its flag, where a decimal point put back agrees', () => {
    expect(isSuspectValue('36', range(4, 5.6), 'L')).toBe(true);
  });

  it('is a flagged value ten times its range, whose decimals the range has', () => {
    expect(isSuspectValue('16', range(0.1, 1.2), 'H')).toBe(true);
  });

  it('is an unflagged value out of its range that a decimal point would put in it', () => {
    expect(isSuspectValue('364', range(36, 46), null)).toBe(true);
  });

  it('is not a value out of range in the direction its flag says, nor one read with decimals', () => {
    expect(isSuspectValue('480', range(150, 450), 'H')).toBe(false);
    expect(isSuspectValue('164', range(70, 100), null)).toBe(false);
    expect(isSuspectValue('3.6', range(4, 5.6), 'L')).toBe(false);
  });
});

describe('which second reading is kept', () => {
  const range = { low: 4, high: 5.6 };

  it('keeps the same digits with a decimal point that agrees with the flag', () => {
    expect(keptValue('36', { text: '3.6\n', confidence: 94 }, range, 'L')).toBe('3.6');
  });

  it('refuses other digits, no decimal point, a reading that disagrees, and doubt', () => {
    expect(keptValue('36', { text: '3.8', confidence: 94 }, range, 'L')).toBeNull();
    expect(keptValue('36', { text: '36', confidence: 94 }, range, 'L')).toBeNull();
    expect(keptValue('36', { text: '3.6', confidence: 94 }, range, 'H')).toBeNull();
    expect(keptValue('36', { text: '3.6', confidence: 20 }, range, 'L')).toBeNull();
  });

  it('keeps a range only when both bounds gained the same decimals, low below high', () => {
    const cells = [{ word: 3, printed: '35-50' }];
    expect(keptRange(cells, [{ text: '3.5-5.0', confidence: 90 }])?.range).toEqual({
      low: 3.5,
      high: 5,
    });
    expect(keptRange(cells, [{ text: '35.5.0', confidence: 90 }])).toBeNull();
    expect(keptRange(cells, [{ text: '35-5.0', confidence: 90 }])).toBeNull();
    expect(keptRange(cells, [{ text: '35-50', confidence: 90 }])).toBeNull();
  });

  it('reads the digits of a value, with room for a point, and not its glued flag', () => {
    const line = ocrLine('Potasio 36L mmol/L 3.5-5.1');
    const [first, , flag] = line.words[1]!.symbols;
    const box = digitsBox(line.words[1]!, line);
    expect(box.x1).toBeLessThan((flag!.box.x0 + flag!.box.x1) / 2);
    expect(box.x0).toBeLessThan(first!.box.x0);
    expect(box.y1).toBeGreaterThan(line.box.y1);
  });
});

describe('the decimal re-read of a page', () => {
  it('given a value read without its point, when read again as printed, then the text has it', async () => {
    const given = page('HEMOGLOBINA GLUCOSILADA', 'Hemoglobina glucosilada 36L % 4.0-5.6');
    const { reread, asked } = tesseractReading(given, { '36L': { text: '3.6', confidence: 94 } });

    const result = await rereadDecimals(given, reread);

    expect(result.text).toBe('HEMOGLOBINA GLUCOSILADA\nHemoglobina glucosilada 3.6L % 4.0-5.6');
    expect(asked).toEqual([{ word: '36L', characters: '0123456789.,<>' }]);
    expect(result.rereads).toEqual([
      { cell: 'value', line: 1, word: 2, read: '36', reread: '3.6', confidence: 94, kept: true },
    ]);
  });

  it('given a second reading that disagrees too, then the first stays and so does the confidence', async () => {
    const given = page('Hemoglobin 86L g/dL 12.0-16.0');
    const { reread } = tesseractReading(given, { '86L': { text: '86', confidence: 93 } });

    const result = await rereadDecimals(given, reread);

    expect(result.text).toBe(given.text);
    expect(result.confidence).toBe(given.confidence);
    expect(result.rereads.map((r) => r.kept)).toEqual([false]);
  });

  it('given a range read without its points, then the range is read first and the value after', async () => {
    const given = page('Albumina 49 g/dL 35-50');
    const { reread, asked } = tesseractReading(given, {
      '35-50': [
        { text: '3.5', confidence: 95 },
        { text: '5.0', confidence: 93 },
      ],
      '49': { text: '4.9', confidence: 96 },
    });

    const result = await rereadDecimals(given, reread);

    // Each bound of `35-50` is read alone, then the value against the range read again.
    expect(asked.map((a) => a.word)).toEqual(['35-50', '35-50', '49']);
    expect(result.text).toBe('Albumina 4.9 g/dL 3.5-5.0');
  });

  it('given a second reading without a point, then the cell is read once more with more room', async () => {
    const given = page('Potasio 36L mmol/L 4.0-5.6');
    const { reread, asked } = tesseractReading(given, {
      '36L': [
        { text: '36', confidence: 93 },
        { text: '3.6', confidence: 88 },
      ],
    });

    const result = await rereadDecimals(given, reread);

    expect(asked.map((a) => a.word)).toEqual(['36L', '36L']);
    expect(result.text).toBe('Potasio 3.6L mmol/L 4.0-5.6');
    expect(result.rereads).toMatchObject([{ reread: '3.6', confidence: 88, kept: true }]);
  });

  it('given nothing suspect, then nothing is read again', async () => {
    const given = page('Glucosa 16.4 H mmol/L 3.9-5.5', 'Hematocrito 36.4 % 36.0 - 46.0');
    const { reread, asked } = tesseractReading(given, {});

    const result = await rereadDecimals(given, reread);

    expect(asked).toEqual([]);
    expect(result).toEqual({ text: given.text, confidence: given.confidence, rereads: [] });
  });
});

describe('the corrected page', () => {
  const lines = [ocrLine('Glucosa 36 mg/dL', 0, 90), ocrLine('Potasio 36L mmol/L 3.5-5.1', 1, 90)];
  const text = 'Glucosa 36 mg/dL\n\nPotasio 36L mmol/L 3.5-5.1\n';

  it('puts a word read again at its own place, not at an earlier word with the same text', () => {
    const corrected = correctedText(text, lines, [
      { line: 1, word: 1, text: '3.6L', confidence: 80 },
    ]);
    expect(corrected).toBe('Glucosa 36 mg/dL\n\nPotasio 3.6L mmol/L 3.5-5.1\n');
  });

  it('lowers the confidence by a weaker second reading and never raises it', () => {
    const weaker = correctedConfidence(0.9, lines, [
      { line: 1, word: 1, text: '3.6L', confidence: 20 },
    ]);
    const stronger = correctedConfidence(0.9, lines, [
      { line: 1, word: 1, text: '3.6L', confidence: 99 },
    ]);
    expect(weaker).toBeCloseTo(0.9 - 0.7 / 7, 5);
    expect(stronger).toBe(0.9);
  });
});
