import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { launchBrowser } from '../support/browser';

/** A port free right now (the child binds it a moment later). */
async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  return typeof address === 'object' && address ? address.port : 0;
}

describe('npm start', { timeout: 120_000 }, () => {
  it('prints the console URL, on the API server, and the console opens on the task list', async () => {
    const [port, lambdaPort] = [await freePort(), await freePort()];
    const dataDir = mkdtempSync(join(tmpdir(), 'sundial-start-'));
    // What `npm start` runs once its prestart step has installed and built what is missing.
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'lib/local/main.ts',
        '--port',
        String(port),
        '--lambda-port',
        String(lambdaPort),
        '--data-dir',
        dataDir,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const exited = once(child, 'exit');
    let stdout = '';
    const consoleUrl = await new Promise<string>((found, failed) => {
      child.stdout.on('data', (chunk) => {
        stdout += chunk;
        const match = /^ {2}Console +(\S+)$/m.exec(stdout);
        if (match?.[1]) found(match[1]);
      });
      child.once('exit', (code) => failed(new Error(`npm start exited ${code}: ${stdout}`)));
    });
    const browser = await launchBrowser();
    try {
      expect(consoleUrl).toBe(`http://127.0.0.1:${port}/console/`);
      expect(stdout).toContain(`HTTP API          http://127.0.0.1:${port}\n`);
      const page = await browser.newPage();
      await page.goto(consoleUrl);
      await page.getByRole('heading', { name: 'Tasks', level: 1 }).waitFor();
      await page.getByText('No tasks yet.').waitFor();
    } finally {
      await browser.close();
      child.kill('SIGINT');
    }
    const [code] = await exited;
    expect(code).toBe(0);
  });
});
