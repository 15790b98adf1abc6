import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parser } from '@prometheus-io/lezer-promql';
import { parse, parseAllDocuments } from 'yaml';

export const DEPLOY_DIR = path.resolve(import.meta.dirname, '../../deploy');

interface Dashboard {
  __inputs: { name: string; type: string }[];
  panels: {
    type: string;
    title: string;
    datasource?: { uid: string };
    targets?: { expr: string }[];
  }[];
}

export const dashboard = (): Dashboard =>
  JSON.parse(readFileSync(path.join(DEPLOY_DIR, 'grafana/docstream.json'), 'utf8'));

interface RuleFile {
  groups: { name: string; rules: { alert: string; expr: string }[] }[];
}

export const alertRules = (): RuleFile =>
  parse(readFileSync(path.join(DEPLOY_DIR, 'prometheus/alerts.yml'), 'utf8'));

/** Every PromQL expression of the dashboard's panels and of the alert rules, with where it is. */
export function promqlExpressions(): { where: string; expr: string }[] {
  return [
    ...dashboard().panels.flatMap((p) =>
      (p.targets ?? []).map((t) => ({ where: `panel "${p.title}"`, expr: t.expr })),
    ),
    ...alertRules().groups.flatMap((g) =>
      g.rules.map((r) => ({ where: `alert ${r.alert}`, expr: r.expr })),
    ),
  ];
}

/** The metric names an expression selects, or the syntax error the PromQL grammar finds in it. */
export function metricNames(expr: string): { names: string[]; error: string | null } {
  const names: string[] = [];
  let error: string | null = null;
  parser.parse(expr).iterate({
    enter(node) {
      if (node.type.isError) error ??= `syntax error at ${node.from}: ${expr.slice(node.from)}`;
      if (node.name === 'Identifier' && node.node.parent?.name === 'VectorSelector') {
        names.push(expr.slice(node.from, node.to));
      }
    },
  });
  return { names, error };
}

/** The Kubernetes objects the kustomization lists, each with the file it is in. */
export function k8sObjects(): { file: string; object: Record<string, unknown> }[] {
  const dir = path.join(DEPLOY_DIR, 'k8s');
  const kustomization = parse(readFileSync(path.join(dir, 'kustomization.yaml'), 'utf8')) as {
    resources: string[];
  };
  return kustomization.resources.flatMap((file) =>
    parseAllDocuments(readFileSync(path.join(dir, file), 'utf8')).map((doc) => {
      if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors[0]?.message}`);
      return { file, object: doc.toJS() as Record<string, unknown> };
    }),
  );
}
