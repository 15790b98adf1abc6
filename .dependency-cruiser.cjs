/**
 * The layers of docstream; imports only point down (see docs/architecture.md):
 *
 *   test/, *.test.ts          may import anything; nothing imports them
 *   cli/                      the command line: talks to the API over HTTP, imports no server code
 *   system/                   the composition root and main
 *   api/                      HTTP: routes over producers (commands) and projections (reads)
 *   producers/ processors/ projections/   side by side, never importing each other
 *   infra/                    config, logger, metrics, Kafka, PostgreSQL, blob store, breakers
 *   schemas/                  event shapes, the catalog, the codec
 *
 * `npm run lint` fails on any violation and on any import cycle.
 */
const TEST = '(^test/|\\.test\\.ts$)';
const layer = (name, from, allowed) => ({
  name,
  severity: 'error',
  comment: `${from} may only import from ${allowed.join(', ')}`,
  from: { path: `^${from}/`, pathNot: TEST },
  to: {
    path: '^(schemas|infra|producers|processors|projections|api|system|cli|test)/',
    pathNot: `^(${allowed.join('|')})/`,
  },
});

module.exports = {
  forbidden: [
    layer('schemas-at-the-bottom', 'schemas', ['schemas']),
    layer('infra-over-schemas', 'infra', ['schemas', 'infra']),
    layer('producers-over-infra', 'producers', ['schemas', 'infra', 'producers']),
    layer('processors-over-infra', 'processors', ['schemas', 'infra', 'processors']),
    layer('projections-over-infra', 'projections', ['schemas', 'infra', 'projections']),
    layer('api-over-producers-and-projections', 'api', [
      'schemas',
      'infra',
      'producers',
      'projections',
      'api',
    ]),
    layer('cli-over-http', 'cli', ['schemas', 'cli']),
    {
      name: 'no-test-code-in-source',
      severity: 'error',
      comment: 'source files never import tests, test support or the test runner',
      from: { pathNot: TEST },
      to: { path: `${TEST}|^node_modules/(vitest|@vitest)/` },
    },
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'modules form no import cycle',
      from: {},
      to: { circular: true },
    },
    {
      name: 'no-orphans',
      severity: 'error',
      comment: 'a source module nothing imports is dead code (entry points excepted)',
      from: {
        orphan: true,
        pathNot: [
          TEST,
          '^infra/stack/',
          '\\.d\\.ts$',
          '^system/main\\.ts$',
          '^cli/main\\.ts$',
          '(^|/)[^/]+\\.(cjs|config\\.ts)$',
        ],
      },
      to: {},
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^\\.data/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default'],
    },
  },
};
