import { describe, expect, it } from 'vitest';
import type { DocumentTypeHint } from '../../schemas/events.ts';
import { classifyText } from './classify-text.ts';

const fileNameHint = (documentType: string): DocumentTypeHint => ({
  documentType,
  source: 'file-name',
});
const clientHint = (documentType: string): DocumentTypeHint => ({ documentType, source: 'client' });

const LAB_REPORT = [
  'RESULTADOS DE LABORATORIO',
  'Paciente: María Guadalupe García Hernández   Expediente: 88123',
  'Fecha de toma de muestra: 15/03/2024',
  'Estudio              Resultado   Unidades   Valores de referencia',
  'Glucosa                    112   mg/dL      70 - 99',
  'Creatinina                0.92   mg/dL      0.60 - 1.20',
].join('\n');

describe('classifyText', () => {
  it('reads a Spanish lab report, the title weighing more than the body', () => {
    const result = classifyText(LAB_REPORT, null);
    expect(result.documentType).toBe('lab-result');
    expect(result.confidence).toBeGreaterThan(0.8);
    const title = result.evidence.find((item) => item.detail === 'resultados de laboratorio');
    const body = result.evidence.find((item) => item.detail === 'valores de referencia');
    expect(title).toMatchObject({ source: 'title', documentType: 'lab-result' });
    expect(body).toMatchObject({ source: 'text', documentType: 'lab-result' });
    expect(title!.weight).toBeGreaterThan(body!.weight);
  });

  it('ignores accents and case', () => {
    const plain = LAB_REPORT.normalize('NFD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase();
    expect(classifyText(plain, null)).toEqual(classifyText(LAB_REPORT, null));
  });

  it('lets a heading decide over a mention of another type in the body', () => {
    const text = [
      'RECETA MÉDICA',
      'Hospital Santa Lucía de Monterrey',
      'Paciente: José Luis Pérez López',
      'Se revisan resultados de laboratorio recientes.',
      '1. Metformina 850 mg tabletas',
      '   Tomar una tableta vía oral cada 12 horas durante 30 días.',
    ].join('\n');
    const result = classifyText(text, null);
    expect(result.documentType).toBe('prescription');
    expect(result.scores.map((score) => score.documentType)).toContain('lab-result');
  });

  it('classifies by the body when the header is only the hospital name', () => {
    const text = [
      'RIVERSIDE GENERAL HOSPITAL',
      '450 River Road, Sacramento, CA 95814',
      'Patient: SMITH, JOHN   MRN: 00482913',
      'EXAM: XR CHEST PA AND LATERAL',
      'FINDINGS: Patchy opacity in the right lower lobe.',
      'IMPRESSION: Right lower lobe pneumonia.',
    ].join('\n');
    expect(classifyText(text, null).documentType).toBe('radiology-report');
  });

  it('overrides a wrong hint when the text says clearly what the document is', () => {
    for (const hint of [clientHint('invoice'), fileNameHint('invoice')]) {
      const result = classifyText(LAB_REPORT, hint);
      expect(result.documentType).toBe('lab-result');
      expect(result.evidence).toContainEqual(
        expect.objectContaining({ source: hint.source, documentType: 'invoice' }),
      );
      expect(result.scores.find((score) => score.documentType === 'invoice')).toBeDefined();
    }
  });

  it('follows the hint when the text says nothing, with low confidence', () => {
    const result = classifyText('Página escaneada\nilegible', clientHint('referral'));
    expect(result.documentType).toBe('referral');
    expect(result.confidence).toBeLessThan(0.4);
  });

  it('says other when nothing scores, and ignores a hint of a type we do not have', () => {
    const result = classifyText('Página 2 de 3', fileNameHint('discharge'));
    expect(result).toMatchObject({ documentType: 'other', evidence: [], scores: [] });
    expect(result.confidence).toBeGreaterThan(0);
  });

  it('is unsure of a document that reads as two types at once', () => {
    const text = [
      'CEDAR HILLS FAMILY CLINIC',
      '21 Cedar Hills Blvd, Austin, TX 78731',
      'Patient: Jones, Karen',
      'Reason for referral: evaluation by cardiology',
      'Chief complaint: chest pain',
    ].join('\n');
    const result = classifyText(text, null);
    expect(result.scores.length).toBeGreaterThan(1);
    expect(result.confidence).toBeLessThan(0.3);
    expect(classifyText(LAB_REPORT, null).confidence).toBeGreaterThan(result.confidence + 0.5);
  });

  it('ranks the scores best first and shows phrases, never lines of the document', () => {
    const result = classifyText(LAB_REPORT, fileNameHint('lab-result'));
    const scores = result.scores.map((score) => score.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    for (const item of result.evidence) {
      expect(item.detail).not.toMatch(/García|88123|15\/03\/2024/);
      expect(LAB_REPORT.split('\n')).not.toContain(item.detail);
    }
  });
});
