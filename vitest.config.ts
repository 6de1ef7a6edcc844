import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 90_000,
    // No focused tests in CI: `.only` fails the run.
    allowOnly: false,
    // The SDK's notice that its 2027 releases need Node 22; the machines run Node 20 (see TOOLCHAIN).
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  },
});
