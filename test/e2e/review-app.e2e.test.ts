import type { Browser } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../infra/logger.ts';
import { type System, startSystem } from '../../system/system.ts';
import { generateCorpus } from '../fixtures/corpus.ts';
import { textPdf } from '../fixtures/files.ts';
import { apiClient } from '../support/api-client.ts';
import { launchChromium, screenshot } from '../support/browser.ts';
import { bearer, issueKey } from '../support/credentials.ts';
import { createTestEnvironment, eventually, type TestEnvironment } from '../support/environment.ts';
import { DEMO_PASSWORD } from '../support/oidc.ts';

// reviewer-a of the local realm works for clinic-a and holds the reviewer role alone.
const TENANT = 'clinic-a';
const [lab] = generateCorpus({ perTypeAndLanguage: 1 }).filter((d) => d.language === 'spa');
const { patient } = lab!.truth;
const TWIN = 'Marisol';

/**
 * Her twin's lab report from another clinic: same surnames and date of birth, another given name
 * and that clinic's own record number. Close to the first patient, not close enough to assign.
 */
const twinReport = lab!.lines.map((line) => {
  if (line.startsWith('Clínica')) return 'Hospital Regional del Sureste';
  if (line.startsWith('Paciente:')) return `Paciente: ${TWIN} ${patient.surnames}`;
  if (line.startsWith('Exp.:')) return 'Exp.: 884512';
  return line;
});

describe('the review web app, signed in through Keycloak in a real browser', () => {
  let env: TestEnvironment;
  let system: System;
  let browser: Browser;
  let api: ReturnType<typeof apiClient>;
  let readerKey: string;
  const shots: string[] = [];

  const matchOf = (id: string, status: string) =>
    eventually(async () => {
      const { body } = await api.document(id);
      expect(body.patientMatch?.status).toBe(status);
      return body.patientMatch as { status: string; patientId: string | null };
    }, 45_000);

  beforeAll(async () => {
    env = await createTestEnvironment({ OCR_WORKERS: '1' });
    [system, browser] = await Promise.all([
      startSystem(env.config, createLogger('warn')),
      launchChromium(),
    ]);
    const { key } = await issueKey(env.config.database.url, TENANT, ['uploader', 'reader']);
    api = apiClient(system.url as string, TENANT, key);
    readerKey = key;
  });
  afterAll(async () => {
    await browser?.close();
    await system?.stop();
    await env?.cleanup();
    if (shots.length) console.info(`screenshots:\n  ${shots.join('\n  ')}`);
  });

  it('signs a reviewer in, resolves the review of a twin, and the document shows the decision', async () => {
    const first = await api.upload(await textPdf(lab!.lines), 'resultados.pdf');
    const sister = (await matchOf(first.documentId, 'registered')).patientId;
    const twin = await api.upload(await textPdf(twinReport), 'resultados-hermana.pdf');
    await matchOf(twin.documentId, 'review');

    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(m.text());
    });
    page.on('pageerror', (e) => problems.push(e.message));

    await page.goto(`${system.url}/app/`);
    await page.getByRole('button', { name: 'Sign in with your organisation account' }).click();
    // Keycloak's own login page.
    await page.locator('#username').fill('reviewer-a');
    await page.locator('#password').fill(DEMO_PASSWORD);
    await page.locator('#kc-login').click();

    await page.getByRole('heading', { name: 'Review queue' }).waitFor();
    await expect.poll(() => page.locator('#who').textContent()).toContain('reviewer-a');
    const row = page.getByRole('row').filter({ hasText: `${TWIN} ${patient.surnames}` });
    await row.waitFor();
    shots.push(await screenshot(page, 'review-app-1-queue'));

    await row.getByRole('link').click();
    await page.getByRole('heading', { name: `Review of ${TWIN}` }).waitFor();
    // The subject highlighted where it was read, the registered sister beside it as a candidate.
    expect(await page.locator('pre mark.mark-name').first().textContent()).toBe(
      `${TWIN} ${patient.surnames}`,
    );
    const [year, month, day] = patient.dateOfBirth.split('-');
    expect(await page.locator('pre mark.mark-dateOfBirth').first().textContent()).toBe(
      `${day}/${month}/${year}`,
    );
    expect(await page.locator('pre mark.mark-identifier').allTextContents()).toContain('884512');
    // Beside the text, the page itself: fetched with the reviewer's token, drawn 1200 px wide.
    const pageImage = page.getByRole('img', { name: 'Page 1 of the document, as received' });
    await expect
      .poll(() => pageImage.evaluate((img: HTMLImageElement) => img.naturalWidth))
      .toBe(1200);
    const candidate = page.getByRole('article', { name: `Candidate ${sister}` });
    await expect
      .poll(() => candidate.getByRole('cell', { name: 'givenNames', exact: true }).count())
      .toBe(1);
    shots.push(await screenshot(page, 'review-app-2-review'));

    // By keyboard: the decision is a real button that takes focus and Enter.
    await page.locator('#note').fill('twin sister, not the same person');
    await page.keyboard.press('Tab');
    const register = page.getByRole('button', { name: 'Register as a new patient' });
    expect(await register.evaluate((b) => b === document.activeElement)).toBe(true);
    await page.keyboard.press('Enter');
    const decided = page.locator('p.decision');
    await decided.waitFor();
    expect(await decided.textContent()).toMatch(/^Decided: registered to patient \S+, by user:/);
    shots.push(await screenshot(page, 'review-app-3-decided'));

    await page.getByRole('link', { name: 'Document page' }).click();
    const decisions = page.getByRole('region', { name: 'Review decisions' });
    await decisions.getByText('Decided: registered').waitFor();
    // A reviewer without the reader and auditor roles is told so, part by part.
    expect(await page.getByRole('region', { name: 'Timeline' }).textContent()).toContain(
      'needs auditor',
    );
    expect(await page.getByRole('region', { name: 'Summary' }).textContent()).toContain(
      'needs reader',
    );
    shots.push(await screenshot(page, 'review-app-4-document'));

    const registered = await matchOf(twin.documentId, 'registered');
    expect(registered.patientId).not.toBe(sister);
    expect(await decisions.textContent()).toContain(registered.patientId);
    expect(problems.filter((p) => !p.includes('403'))).toEqual([]);
    await context.close();
  }, 90_000);

  it('draws a page as a PNG for its tenant, audited, and for no one else', async () => {
    const url = system.url as string;
    const pdf = await api.upload(await textPdf(['Informe de radiologia']), 'informe.pdf');
    const note = await api.upload(Buffer.from('Nota de evolucion\n'), 'nota.txt');
    const [other, uploader, auditor] = await Promise.all([
      issueKey(env.config.database.url, 'clinic-b', ['reader']),
      issueKey(env.config.database.url, TENANT, ['uploader']),
      issueKey(env.config.database.url, TENANT, ['auditor']),
    ]);
    const image = (
      id: string,
      page: number | string,
      key = readerKey,
      token = pdf.position.token,
    ) =>
      fetch(`${url}/documents/${id}/pages/${page}/image?minPosition=${token}`, {
        headers: bearer(key),
      });
    const refusal = async (response: Response) => [response.status, (await response.json()).code];

    const drawn = await image(pdf.documentId, 1);
    expect([drawn.status, drawn.headers.get('content-type')]).toEqual([200, 'image/png']);
    expect(drawn.headers.get('cache-control')).toBe('no-store');
    const png = Buffer.from(await drawn.arrayBuffer());
    expect(png.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
    const { format, width, height = 0 } = await sharp(png).metadata();
    expect([format, width]).toEqual(['png', 1200]);
    expect(Math.abs(height - (1200 * 11) / 8.5)).toBeLessThan(2); // a Letter page

    expect(await refusal(await image(pdf.documentId, 2))).toEqual([404, 'PAGE_NOT_FOUND']);
    expect(await refusal(await image(pdf.documentId, 0))).toEqual([400, 'VALIDATION_FAILED']);
    expect(await refusal(await image(note.documentId, 1, readerKey, note.position.token))).toEqual([
      404,
      'PAGE_IMAGE_UNAVAILABLE',
    ]);
    expect(await refusal(await image(pdf.documentId, 1, other.key))).toEqual([
      404,
      'DOCUMENT_NOT_FOUND',
    ]);
    expect(await refusal(await image(pdf.documentId, 1, uploader.key))).toEqual([
      403,
      'ROLE_NOT_ALLOWED',
    ]);

    const audit = apiClient(url, TENANT, auditor.key);
    const read = await eventually(async () => {
      const { body } = await audit.get(`/audit?documentId=${pdf.documentId}`);
      const found = body.items.find((i: { status: number }) => i.status === 200);
      expect(found).toBeDefined();
      return found;
    });
    expect(read).toMatchObject({
      route: '/documents/:id/pages/:page/image',
      documentIds: [pdf.documentId],
      resultCount: 1,
    });
  }, 60_000);
});
