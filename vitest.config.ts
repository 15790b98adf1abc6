import { defineConfig } from 'vitest/config';

const stack = {
  testTimeout: 60_000,
  hookTimeout: 120_000,
  globalSetup: ['test/support/stack-ready.ts'],
};

export default defineConfig({
  test: {
    // Most test files wait on Kafka and PostgreSQL; vitest's default (one less than the cores)
    // would run them one at a time on a 2-core machine. Each file has a topic prefix, database
    // and registry subjects of its own, so files run side by side.
    maxWorkers: 2,
    projects: [
      {
        test: {
          name: 'unit',
          // OCR and accuracy runs take seconds each on a busy 2-core machine.
          testTimeout: 30_000,
          include: [
            '{api,infra,processors,producers,projections,schemas,system}/**/*.unit.test.ts',
            'test/unit/**/*.unit.test.ts',
            'cli/**/*.unit.test.ts',
          ],
        },
      },
      { test: { name: 'int', include: ['test/integration/**/*.int.test.ts'], ...stack } },
      { test: { name: 'e2e', include: ['test/e2e/**/*.e2e.test.ts'], ...stack } },
      { test: { name: 'fault', include: ['test/fault/**/*.fault.test.ts'], ...stack } },
    ],
  },
});
