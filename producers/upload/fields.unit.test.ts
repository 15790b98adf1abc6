import { describe, expect, it } from 'vitest';
import type { DocstreamError } from '../../infra/errors.ts';
import { isPlainFileName, parseUploadFields } from './fields.ts';

const codeOf = (raw: Record<string, string | undefined>) => {
  try {
    parseUploadFields(raw);
    return 'accepted';
  } catch (error) {
    return (error as DocstreamError).code;
  }
};

describe('parseUploadFields', () => {
  it('accepts a well-formed upload and normalises empty optionals to null', () => {
    expect(
      parseUploadFields({
        tenantId: 'hospital-1',
        fileName: '123_PEREZ LOPEZ, ANA_7_LAB.pdf',
        externalPatientId: '',
      }),
    ).toEqual({
      tenantId: 'hospital-1',
      fileName: '123_PEREZ LOPEZ, ANA_7_LAB.pdf',
      externalPatientId: null,
      documentTypeHint: null,
    });
  });

  it('names each problem with a stable code', () => {
    expect(codeOf({ fileName: 'a.pdf' })).toBe('TENANT_REQUIRED');
    expect(codeOf({ tenantId: '  ', fileName: 'a.pdf' })).toBe('TENANT_REQUIRED');
    expect(codeOf({ tenantId: '../x', fileName: 'a.pdf' })).toBe('INVALID_TENANT');
    expect(codeOf({ tenantId: 't', fileName: '../../etc/passwd' })).toBe('INVALID_FILE_NAME');
    expect(codeOf({ tenantId: 't', fileName: 'a.pdf', documentTypeHint: 'x-ray' })).toBe(
      'INVALID_DOCUMENT_TYPE_HINT',
    );
    expect(codeOf({ tenantId: 't', fileName: 'a.pdf', externalPatientId: 'x'.repeat(129) })).toBe(
      'INVALID_EXTERNAL_PATIENT_ID',
    );
    expect(codeOf({ tenantId: 't', fileName: 'a.pdf', documentTypeHint: 'lab-result' })).toBe(
      'accepted',
    );
  });
});

describe('isPlainFileName', () => {
  it.each([
    '../a.pdf',
    'a/b.pdf',
    'a\\b.pdf',
    'C:x.pdf',
    '..',
    '.',
    '',
    ' a.pdf',
    'a\u0000.pdf',
    'a\n.pdf',
    'x'.repeat(256),
  ])('refuses %j', (name) => expect(isPlainFileName(name)).toBe(false));
  it.each(['scan.pdf', 'informe médico 2024.pdf', '..hidden.txt', 'a..b.png'])(
    'accepts %j',
    (name) => expect(isPlainFileName(name)).toBe(true),
  );
});
