import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { PersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import { Service } from 'kubernetes-models/v1/Service';
import { describe, expect, it } from 'vitest';
import { PROCESSOR_NAMES } from '../../processors/start.ts';
import {
  DEPLOY_DIR,
  dashboard,
  k8sObjects,
  metricNames,
  promqlExpressions,
} from '../support/deploy.ts';

/** Validators generated from the Kubernetes OpenAPI schemas, by apiVersion and kind. */
const MODELS: Record<string, new (data: never) => { validate(): void }> = {
  'apps/v1 Deployment': Deployment,
  'v1 Service': Service,
  'v1 ConfigMap': ConfigMap,
  'v1 PersistentVolumeClaim': PersistentVolumeClaim,
  'policy/v1 PodDisruptionBudget': PodDisruptionBudget,
  'networking.k8s.io/v1 NetworkPolicy': NetworkPolicy,
};

const validate = (object: Record<string, unknown>) => {
  const Model = MODELS[`${object.apiVersion} ${object.kind}`];
  if (!Model) throw new Error(`no schema for ${object.apiVersion} ${object.kind}`);
  new Model(object as never).validate();
};

const promtool = (...args: string[]) =>
  execFileSync('promtool', args, { cwd: path.join(DEPLOY_DIR, 'prometheus'), encoding: 'utf8' });

interface Container {
  name: string;
  env?: { name: string; value?: string; valueFrom?: { secretKeyRef?: unknown } }[];
  resources?: { requests?: object; limits?: object };
  readinessProbe?: { httpGet?: { path: string } };
  livenessProbe?: { httpGet?: unknown; tcpSocket?: unknown };
}
interface DeploymentSpec {
  replicas: number;
  selector: { matchLabels: Record<string, string> };
  template: { spec: { containers: Container[] } };
}

const deployments = () =>
  k8sObjects()
    .map(({ object }) => object)
    .filter((o) => o.kind === 'Deployment')
    .map((o) => ({ name: (o.metadata as { name: string }).name, spec: o.spec as DeploymentSpec }));

describe('Prometheus alert rules', () => {
  it('pass promtool check rules', () => {
    expect(promtool('check', 'rules', 'alerts.yml')).toMatch(/SUCCESS: \d+ rules found/);
  });

  it('fire as their unit tests expect', () => {
    expect(promtool('test', 'rules', 'alerts.test.yml')).toContain('SUCCESS');
  });
});

describe('Grafana dashboard', () => {
  it('takes its Prometheus data source as an import input', () => {
    const board = dashboard();
    expect(board.__inputs).toContainEqual(
      expect.objectContaining({ name: 'DS_PROMETHEUS', type: 'datasource' }),
    );
    const panels = board.panels.filter((p) => p.type !== 'row');
    expect(panels.length).toBeGreaterThan(10);
    // biome-ignore lint/suspicious/noTemplateCurlyInString: Grafana's import placeholder, literally.
    const input = '${DS_PROMETHEUS}';
    for (const panel of panels) expect(panel.datasource?.uid, panel.title).toBe(input);
  });

  it('has only PromQL the grammar accepts, here and in the alert rules', () => {
    const expressions = promqlExpressions();
    expect(expressions.length).toBeGreaterThan(20);
    for (const { where, expr } of expressions) {
      const { names, error } = metricNames(expr);
      expect(error, where).toBeNull();
      expect(names.length, where).toBeGreaterThan(0);
    }
    expect(metricNames('sum(rate(x[5m])').error).not.toBeNull();
  });
});

describe('Kubernetes manifests', () => {
  it('are valid against the Kubernetes schemas', () => {
    const objects = k8sObjects();
    expect(objects.map((o) => o.object.kind)).toEqual(
      expect.arrayContaining(['Deployment', 'Service', 'PodDisruptionBudget', 'ConfigMap']),
    );
    for (const { file, object } of objects) {
      expect(() => validate(object), `${file}: ${object.kind}`).not.toThrow();
    }
  });

  it('are checked for real: a malformed deployment is refused', () => {
    const [first] = deployments();
    const broken = structuredClone(first?.spec) as unknown as Record<string, unknown>;
    broken.replicas = 'two';
    const object = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'x' },
      spec: broken,
    };
    expect(() => validate(object)).toThrow(/replicas/);
  });

  it('hold credentials in Secrets only, and no Secret in clear', () => {
    const objects = k8sObjects().map((o) => o.object);
    expect(objects.filter((o) => o.kind === 'Secret')).toEqual([]);
    const config = objects.find((o) => o.kind === 'ConfigMap')?.data as Record<string, string>;
    for (const key of Object.keys(config))
      expect(key).not.toMatch(/PASSWORD|SECRET|TOKEN|DATABASE_URL/);
    for (const { name, spec } of deployments()) {
      const env = spec.template.spec.containers.flatMap((c) => c.env ?? []);
      const credentials = env.filter((e) => /PASSWORD|SECRET|TOKEN|DATABASE_URL/.test(e.name));
      expect(
        credentials.map((e) => e.name),
        name,
      ).toEqual(
        expect.arrayContaining(['DATABASE_URL', 'DATABASE_APP_PASSWORD', 'KAFKA_SASL_PASSWORD']),
      );
      for (const e of credentials)
        expect(e.valueFrom?.secretKeyRef, `${name} ${e.name}`).toBeDefined();
    }
  });

  it('run each processor in a deployment of its own, within the partitions, probed and bounded', () => {
    const objects = k8sObjects().map((o) => o.object);
    const settings = objects.find((o) => o.kind === 'ConfigMap')?.data as Record<string, string>;
    const partitions = Number(settings.TOPIC_PARTITIONS);
    expect(partitions).toBeGreaterThan(0);
    const budgets = objects
      .filter((o) => o.kind === 'PodDisruptionBudget')
      .map((o) => (o.spec as DeploymentSpec).selector.matchLabels);
    const run: string[] = [];
    for (const { name, spec } of deployments()) {
      expect(spec.replicas, name).toBeLessThanOrEqual(partitions);
      const [container] = spec.template.spec.containers;
      const processors = container?.env?.find((e) => e.name === 'PROCESSORS')?.value;
      if (processors && processors !== 'none') run.push(...processors.split(','));
      expect(container?.resources?.requests, name).toBeDefined();
      expect(container?.resources?.limits, name).toBeDefined();
      expect(container?.readinessProbe?.httpGet?.path, name).toBe('/health');
      // /health answers 503 while a dependency is down: liveness must not restart on that.
      expect(container?.livenessProbe?.tcpSocket, name).toBeDefined();
      expect(budgets, name).toContainEqual(spec.selector.matchLabels);
    }
    expect(run.sort()).toEqual([...PROCESSOR_NAMES].sort());
  });
});
