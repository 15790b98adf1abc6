import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../infra/logger.ts';
import { type System, startSystem } from '../../system/system.ts';
import { fhirValidator, type ValidationReport } from '../fhir/validator.ts';
import { generateCorpus } from '../fixtures/corpus.ts';
import { apiClient } from '../support/api-client.ts';
import { bearer, issueKey } from '../support/credentials.ts';
import { createTestEnvironment, eventually, type TestEnvironment } from '../support/environment.ts';

const TENANT = 'clinic-fhir';
const corpus = generateCorpus({ perTypeAndLanguage: 1 }).filter((d) => d.language === 'spa');
const byType = (type: string) => {
  const found = corpus.find((d) => d.documentType === type);
  if (!found) throw new Error(`no ${type} in the corpus`);
  return found;
};
/** Labs for one patient; medications and diagnoses for another, later merged into the first. */
const labReport = byType('lab-result');
const discharge = byType('discharge-summary');

// biome-ignore lint/suspicious/noExplicitAny: FHIR bodies are read loosely here
type Json = Record<string, any>;

describe('FHIR R4 views, validated against the R4 structure definitions', () => {
  let env: TestEnvironment;
  let system: System;
  let key: string;
  let otherKey: string;
  let api: ReturnType<typeof apiClient>;
  let validate: Awaited<ReturnType<typeof fhirValidator>>;
  let outDir: string;
  const ids = { survivor: '', merged: '', labDocument: '', dischargeDocument: '' };
  const saved: string[] = [];

  const fhir = async (pathAndQuery: string, credential = key) => {
    const response = await fetch(`${system.url}/fhir/${pathAndQuery}`, {
      headers: { ...bearer(credential), accept: 'application/fhir+json' },
    });
    expect(response.headers.get('content-type')).toMatch(/^application\/fhir\+json/);
    return { status: response.status, body: (await response.json()) as Json };
  };
  /** Reads a resource, keeps it for the validator, and answers it. */
  const keep = async (pathAndQuery: string, status = 200) => {
    const answer = await fhir(pathAndQuery);
    expect(answer.status, `${pathAndQuery}: ${JSON.stringify(answer.body)}`).toBe(status);
    const file = path.join(outDir, `${String(saved.length).padStart(2, '0')}.json`);
    await writeFile(file, JSON.stringify(answer.body));
    saved.push(file);
    return answer.body;
  };
  const uploadAndMatch = async (lines: string[], name: string) => {
    const { documentId } = await api.upload(Buffer.from(lines.join('\n')), name);
    const document = await eventually(async () => {
      const { body } = await api.document(documentId);
      expect(body.patientMatch?.patientId).toEqual(expect.any(String));
      return body;
    }, 90_000);
    return { documentId, patientId: document.patientMatch.patientId as string };
  };

  beforeAll(async () => {
    // The first build fetches HAPI FHIR from Maven Central; later ones reuse the cached build.
    const building = fhirValidator();
    env = await createTestEnvironment({ OCR_WORKERS: '1' });
    system = await startSystem(env.config, createLogger('warn'));
    ({ key } = await issueKey(env.config.database.url, TENANT));
    ({ key: otherKey } = await issueKey(env.config.database.url, 'clinic-elsewhere', ['reader']));
    api = apiClient(system.url as string, TENANT, key);
    outDir = await mkdtemp(path.join(tmpdir(), 'docstream-fhir-'));

    const lab = await uploadAndMatch(labReport.lines, 'resultados.txt');
    const summary = await uploadAndMatch(discharge.lines, 'alta.txt');
    expect(summary.patientId).not.toBe(lab.patientId);
    Object.assign(ids, {
      survivor: lab.patientId,
      merged: summary.patientId,
      labDocument: lab.documentId,
      dischargeDocument: summary.documentId,
    });
    const merge = await api.post(`/patients/${ids.survivor}/merge`, { mergedId: ids.merged });
    expect(merge.status).toBe(202);
    await api.get(`/patients/${ids.merged}?minPosition=${merge.body.position.token}`);
    // Every fact is folded once the survivor shows the merged patient's diagnoses.
    await eventually(async () => {
      const { body } = await api.get(`/patients/${ids.survivor}/diagnoses`);
      expect(body.diagnoses.length).toBe(discharge.truth.diagnoses.length);
    }, 60_000);
    validate = await building;
  }, 600_000);
  afterAll(async () => {
    await system?.stop();
    await env?.cleanup();
    if (outDir) await rm(outDir, { recursive: true, force: true });
  });

  it('shows the patient with its identifiers and the merged one replaced by it', async () => {
    const { patient } = labReport.truth;
    const survivor = await keep(`Patient/${ids.survivor}`);
    expect(survivor).toMatchObject({
      resourceType: 'Patient',
      id: ids.survivor,
      active: true,
      birthDate: patient.dateOfBirth,
      gender: patient.sex === 'F' ? 'female' : 'male',
      link: [{ other: { reference: `Patient/${ids.merged}` }, type: 'replaces' }],
    });
    expect(survivor.identifier).toContainEqual(
      expect.objectContaining({ system: 'urn:oid:2.16.840.1.113883.4.629', value: patient.curp }),
    );
    const record = survivor.identifier.find((i: Json) => i.value === patient.recordNumber);
    expect(record.system).toMatch(/^urn:docstream:clinic-fhir:record-number:/);

    expect(await keep(`Patient/${ids.merged}`)).toMatchObject({
      id: ids.merged,
      active: false,
      link: [{ other: { reference: `Patient/${ids.survivor}` }, type: 'replaced-by' }],
    });

    const byCurp = await keep(`Patient?identifier=urn:oid:2.16.840.1.113883.4.629|${patient.curp}`);
    expect(byCurp).toMatchObject({ resourceType: 'Bundle', type: 'searchset', total: 1 });
    expect(byCurp.entry[0].fullUrl).toBe(`${system.url}/fhir/Patient/${ids.survivor}`);
    const bySystem = await fhir(
      `Patient?identifier=${encodeURIComponent(`${record.system}|${patient.recordNumber}`)}`,
    );
    expect(bySystem.body.entry.map((e: Json) => e.resource.id)).toEqual([ids.survivor]);
    // The merged patient's CURP finds the survivor.
    const mergedCurp = discharge.truth.patient.curp as string;
    const { body: throughMerge } = await fhir(`Patient?identifier=${mergedCurp}`);
    expect(throughMerge.entry.map((e: Json) => e.resource.id)).toEqual([ids.survivor]);
    const { body: byBirth } = await fhir(
      `Patient?birthdate=${patient.dateOfBirth}&name=${encodeURIComponent(patient.givenNames)}`,
    );
    expect(byBirth.entry.map((e: Json) => e.resource.id)).toContain(ids.survivor);
  });

  it("gives the survivor's documents, labs, medications and diagnoses, the merged patient's included", async () => {
    const documents = await keep(`DocumentReference?patient=Patient/${ids.merged}`);
    expect(documents.total).toBe(2);
    const labDocument = documents.entry.find((e: Json) => e.resource.id === ids.labDocument);
    expect(labDocument.resource).toMatchObject({
      status: 'current',
      subject: { reference: `Patient/${ids.survivor}` },
      type: { coding: [{ system: 'http://loinc.org', code: '11502-2' }, expect.anything()] },
    });
    expect(labDocument.resource.content[0].attachment.url).toBe(
      `${system.url}/documents/${ids.labDocument}/text`,
    );
    await keep(`DocumentReference/${ids.dischargeDocument}`);
    const none = await fhir(`DocumentReference?patient=${ids.survivor}&date=lt2000-01-01`);
    expect(none.body).toMatchObject({ total: 0 });

    const labs = await keep(`Observation?patient=${ids.survivor}`);
    expect(labs.total).toBe(labReport.truth.labs.length);
    const coded = labs.entry.filter((e: Json) => e.resource.code.coding);
    expect(coded.length).toBe(labs.total);
    const first = labs.entry[0].resource;
    expect(first).toMatchObject({
      status: 'final',
      category: [{ coding: [{ code: 'laboratory' }] }],
      subject: { reference: `Patient/${ids.survivor}` },
      valueQuantity: { system: 'http://unitsofmeasure.org' },
    });
    const flagged = labReport.truth.labs.filter((l) => l.flag).length;
    const interpreted = labs.entry.filter((e: Json) =>
      ['H', 'L'].includes(e.resource.interpretation?.[0]?.coding[0].code),
    );
    expect(interpreted.length).toBe(flagged);
    await keep(`Observation/${first.id}`);
    const loinc = first.code.coding[0].code;
    const { body: byCode } = await fhir(
      `Observation?patient=${ids.survivor}&code=http://loinc.org|${loinc}`,
    );
    expect(byCode.entry.map((e: Json) => e.resource.id)).toEqual([first.id]);

    const medications = await keep(`MedicationStatement?patient=${ids.survivor}`);
    expect(medications.total).toBe(discharge.truth.medications.length);
    const diagnoses = await keep(`Condition?patient=${ids.merged}`);
    expect(diagnoses.total).toBe(discharge.truth.diagnoses.length);
    expect(diagnoses.entry[0].resource.subject.reference).toBe(`Patient/${ids.survivor}`);
    await keep(`Condition/${diagnoses.entry[0].resource.id}`);
  });

  it('answers errors as OperationOutcomes, and hides another tenant', async () => {
    const unknown = await keep('Patient/no-such-patient', 404);
    expect(unknown).toMatchObject({
      resourceType: 'OperationOutcome',
      issue: [
        {
          severity: 'error',
          code: 'not-found',
          details: { coding: [{ code: 'PATIENT_NOT_FOUND' }] },
        },
      ],
    });
    const elsewhere = await fhir(`Patient/${ids.survivor}`, otherKey);
    expect(elsewhere.status).toBe(404);
    const { body: empty } = await fhir(`Observation?patient=${ids.survivor}`, otherKey);
    expect(empty).toMatchObject({ resourceType: 'Bundle', total: 0 });
    const bad = await keep('Observation?patient=x&date=yesterday', 400);
    expect(bad.issue[0].code).toBe('invalid');
    const anonymous = await fetch(`${system.url}/fhir/Patient/${ids.survivor}`);
    expect(anonymous.status).toBe(401);
    expect((await anonymous.json()).issue[0].code).toBe('login');
  });

  it('records FHIR reads on the audit log, and lets only readers read', async () => {
    const { key: uploaderKey } = await issueKey(env.config.database.url, TENANT, ['uploader']);
    const refused = await fhir(`Patient/${ids.survivor}`, uploaderKey);
    expect(refused).toMatchObject({ status: 403, body: { issue: [{ code: 'forbidden' }] } });
    const audited = await eventually(async () => {
      const { body } = await api.get(`/audit?patientId=${ids.survivor}&limit=200`);
      const routes = body.items.map((i: { route: string }) => i.route);
      expect(routes).toEqual(expect.arrayContaining(['/fhir/Patient/:id', '/fhir/Observation']));
      return body.items;
    });
    expect(audited.find((i: Json) => i.route === '/fhir/Observation').documentIds).toContain(
      ids.labDocument,
    );
  });

  it('returns only resources the HAPI FHIR validator finds no error in', async () => {
    const report: ValidationReport = await validate(saved);
    const messages = report.files.flatMap((f) =>
      f.messages.map((m) => `${m.severity} ${f.resource} ${m.location}: ${m.message}`),
    );
    console.log(
      `FHIR validation: ${report.resources} resources in ${report.files.length} responses, ` +
        `${report.errors} errors, ${report.warnings} warnings, ${report.information} information`,
    );
    console.log(
      [...new Set(messages.map((m) => m.replace(/\/[0-9a-f-]{36}[^ ]*/g, '/…')))].join('\n'),
    );
    expect(report.files.length).toBe(saved.length);
    expect(report.resources).toBeGreaterThan(20);
    expect(messages.filter((m) => /^(error|fatal)/.test(m))).toEqual([]);
    expect(report.errors).toBe(0);
  }, 120_000);
});
