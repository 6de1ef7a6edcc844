#!/usr/bin/env node
// Runs before `npm start`, `npm test` and `npm run synth`: installs what a fresh clone lacks
// (`--java` for DynamoDB Local, `--chromium` for the console's browser tests).
// Plain Node on purpose: it must work before any dependency is installed.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';

const wantJava = process.argv.includes('--java');
const wantChromium = process.argv.includes('--chromium');

function run(cmd, args) {
  const result = spawnSync(cmd, args, { stdio: 'inherit' });
  return result.status === 0;
}

// npm writes node_modules/.package-lock.json on every install; older than the lock file means stale.
const marker = 'node_modules/.package-lock.json';
if (!existsSync(marker) || statSync(marker).mtimeMs < statSync('package-lock.json').mtimeMs) {
  console.log('sundial: installing dependencies (npm ci)…');
  if (!run('npm', ['ci', '--no-audit', '--no-fund'])) {
    console.error('sundial: `npm ci` failed; fix the error above and run the command again.');
    process.exit(1);
  }
}

function hasJava17() {
  const result = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if (result.error || result.status !== 0) return false;
  const match = /version "(\d+)/.exec(`${result.stderr}${result.stdout}`);
  return match !== null && Number(match[1]) >= 17;
}

const canApt = process.getuid?.() === 0 && existsSync('/usr/bin/apt-get');
let aptUpdated = false;
function aptInstall(pkg) {
  if (!aptUpdated) aptUpdated = run('apt-get', ['update', '-qq']);
  run('apt-get', ['install', '-y', '-qq', pkg]);
}

if (wantJava && !hasJava17()) {
  if (canApt) {
    console.log('sundial: DynamoDB Local needs Java 17; installing openjdk-17-jre-headless…');
    aptInstall('openjdk-17-jre-headless');
  }
  if (!hasJava17()) {
    console.error(
      'sundial: DynamoDB Local needs Java 17 or newer: install it (Debian/Ubuntu: sudo apt-get install -y openjdk-17-jre-headless; macOS: brew install openjdk@17) and run the command again.',
    );
    process.exit(1);
  }
}

// The browser tests drive this browser through playwright-core, which downloads none of its own.
const CHROMIUM = process.env.SUNDIAL_CHROMIUM ?? '/usr/bin/chromium';

if (wantChromium && !existsSync(CHROMIUM)) {
  if (canApt) {
    console.log("sundial: the console's browser tests need Chromium; installing Debian's chromium…");
    aptInstall('chromium');
  }
  if (!existsSync(CHROMIUM)) {
    console.error(
      `sundial: the console's browser tests need Chromium at ${CHROMIUM}: install it (Debian/Ubuntu: sudo apt-get install -y chromium) or set SUNDIAL_CHROMIUM to its path, and run the command again.`,
    );
    process.exit(1);
  }
}
