import { describe, expect, it } from 'vitest';
import { generateCorpus } from '../../test/fixtures/corpus.ts';
import { parseExportName } from './export-name.ts';

describe('parseExportName', () => {
  it('reads the record, patient, episode and type of a hospital export', () => {
    expect(parseExportName('88123_GARCIA HERNANDEZ, MARIA GUADALUPE_4_LAB.pdf')).toEqual({
      recordNumber: '88123',
      patientName: 'GARCIA HERNANDEZ, MARIA GUADALUPE',
      episode: '4',
      typeCode: 'LAB',
      documentType: 'lab-result',
    });
  });

  it.each([
    ['CONS', 'consultation-note'],
    ['LAB', 'lab-result'],
    ['RX', 'prescription'],
    ['REC', 'prescription'],
    ['RAD', 'radiology-report'],
    ['IMG', 'radiology-report'],
    ['PAT', 'pathology-report'],
    ['HP', 'pathology-report'],
    ['REF', 'referral'],
    ['ALTA', 'discharge-summary'],
    ['EGR', 'discharge-summary'],
    ['DIS', 'discharge-summary'],
    ['FACT', 'invoice'],
    ['INV', 'invoice'],
    ['CI', 'consent-form'],
    ['CONSENT', 'consent-form'],
    ['CONS-INF', 'consent-form'],
  ])('maps the code %s to %s', (code, documentType) => {
    expect(parseExportName(`4471_PEREZ LOPEZ, ANA_12_${code}.pdf`)).toMatchObject({
      typeCode: code,
      documentType,
    });
  });

  it('accepts any case, the image and text extensions, accents and a download copy suffix', () => {
    expect(parseExportName('4471_Pérez López, Ana_12_lab.PDF')).toMatchObject({
      patientName: 'Pérez López, Ana',
      typeCode: 'LAB',
      documentType: 'lab-result',
    });
    for (const extension of ['png', 'jpg', 'JPEG', 'tif', 'TIFF', 'txt']) {
      expect(parseExportName(`4471_PEREZ LOPEZ, ANA_12_RX.${extension}`)?.documentType).toBe(
        'prescription',
      );
    }
    expect(parseExportName("00482913_O'BRIEN,JAMES_2_RAD (1).pdf")).toMatchObject({
      recordNumber: '00482913',
      patientName: "O'BRIEN, JAMES",
      typeCode: 'RAD',
    });
  });

  it('keeps a code it does not know, with no document type', () => {
    expect(parseExportName('4471_PEREZ LOPEZ, ANA_12_MISC.pdf')).toEqual({
      recordNumber: '4471',
      patientName: 'PEREZ LOPEZ, ANA',
      episode: '12',
      typeCode: 'MISC',
      documentType: null,
    });
  });

  it.each([
    'scan_2024_01.pdf',
    'scan_0042.pdf',
    'IMG_20240312_0931.jpg',
    '2024_03_12_LAB.pdf',
    '4471_PEREZ LOPEZ ANA_12_LAB.pdf',
    '4471_PEREZ LOPEZ, ANA_LAB.pdf',
    '4471_PEREZ LOPEZ, ANA_12_LAB.docx',
    '4471_PEREZ LOPEZ, ANA_12_LAB',
    'ABC_PEREZ LOPEZ, ANA_12_LAB.pdf',
    '4471_, ANA_12_LAB.pdf',
    '4471_PEREZ LOPEZ, ANA_12_LAB.pdf.exe',
    '4471_PEREZ_LOPEZ, ANA_12_LAB.pdf',
  ])('leaves %s unparsed', (fileName) => {
    expect(parseExportName(fileName)).toBeNull();
  });

  it('reads every export name in the synthetic corpus, and none of its scanner names', () => {
    const corpus = generateCorpus({ perTypeAndLanguage: 6 });
    const exported = corpus.filter((document) => /_\d+_[A-Z-]+\.\w+$/.test(document.fileName));
    expect(exported.length).toBeGreaterThan(corpus.length / 3);
    for (const document of corpus) {
      const parsed = parseExportName(document.fileName);
      if (!exported.includes(document)) expect(parsed, document.fileName).toBeNull();
      else expect(parsed?.recordNumber).toBe(document.truth.patient.recordNumber);
    }
  });
});
