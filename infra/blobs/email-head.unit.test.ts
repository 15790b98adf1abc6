import { describe, expect, it } from 'vitest';
import { looksLikeEmail } from './email-head.ts';

const head = (text: string) => Buffer.from(text, 'utf8');

describe('telling an e-mail by its first bytes', () => {
  it('knows a message by its header block', () => {
    expect(
      looksLikeEmail(
        head(
          'From: Lab <lab@example.org>\r\nSubject: Resultados\r\n  continuados\r\nMIME-Version: 1.0\r\n\r\nHola',
        ),
      ),
    ).toBe(true);
    expect(
      looksLikeEmail(head('Received: from mx\nFrom: a@b.c\nDate: Tue, 3 Feb 2026\n\nbody')),
    ).toBe(true);
  });

  it('takes no plain text for one, even if it starts like a header', () => {
    expect(
      looksLikeEmail(head('From: the desk of Dr. Ruiz\nPlease find the results below.\n')),
    ).toBe(false);
    expect(looksLikeEmail(head('Subject: notes\n\nno sender'))).toBe(false);
    expect(looksLikeEmail(head('NOTA DE CONSULTA\nFrom: here'))).toBe(false);
  });
});
