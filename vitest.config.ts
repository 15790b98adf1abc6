import { defineConfig } from 'vitest/config';

const stack = {
  testTimeout: 60_000,
  hookTimeout: 120_000,
  globalSetup: ['test/support/stack-ready.ts'],
};

export default defineConfig({
  test: {
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
