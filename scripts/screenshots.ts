// `npm run screenshots`: the README's pictures of the console (docs/console/*.png), taken anew. The browser
// test takes them on every run, into SCREENSHOTS_DIR, which git ignores: pixels differ from run to run
// (run times and durations, font rendering), so `npm test` would otherwise leave every clone changed. This
// runs that test alone and copies its pictures into docs/console/ only when it passed.
import { spawnSync } from 'node:child_process';
import { copyFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');
/** Where every run of test/console/browser.test.ts writes its screenshots (gitignored). */
export const SCREENSHOTS_DIR = join(ROOT, 'test-results/console');
const DOCS_DIR = join(ROOT, 'docs/console');

if (process.argv[1] === import.meta.filename) {
  rmSync(SCREENSHOTS_DIR, { recursive: true, force: true });
  const vitest = join(ROOT, 'node_modules/.bin/vitest');
  const test = spawnSync(vitest, ['run', 'test/console/browser.test.ts'], { cwd: ROOT, stdio: 'inherit' });
  if (test.status !== 0) {
    console.error('screenshots: the browser test failed; docs/console/ is unchanged');
    process.exit(1);
  }
  for (const name of readdirSync(SCREENSHOTS_DIR).filter((file) => file.endsWith('.png'))) {
    copyFileSync(join(SCREENSHOTS_DIR, name), join(DOCS_DIR, name));
    console.log(`docs/console/${name}  ${(statSync(join(DOCS_DIR, name)).size / 1024).toFixed(0)} KB`);
  }
}
