// `portcullis serve` on the engine's CLI forwards to @portcullis/server when the project has it installed (this
// package does), and says what to install when it is not.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const CLI = fileURLToPath(new URL('../packages/engine/dist/cli/main.js', import.meta.url));
const HERE = fileURLToPath(new URL('.', import.meta.url));

function run(args: string[], cwd: string, onErr?: (text: string, kill: () => void) => void): Promise<{ code: number | null; err: string }> {
  // without NODE_PATH (pnpm's bin shims set it to the store), so only the project's own node_modules count
  const { NODE_PATH: _nodePath, ...env } = process.env;
  const child = spawn(process.execPath, [CLI, ...args], { cwd, env, stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d) => {
    err += String(d);
    onErr?.(err, () => child.kill('SIGTERM'));
  });
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, err })));
}

describe('portcullis serve', () => {
  it('starts the server from the project, and stops on SIGTERM with exit 0', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'portcullis-cli-serve-'));
    try {
      let sent = false;
      const r = await run(['serve', '--db', join(dir, 's.db'), '--port', '0', '--log-level', 'silent'], HERE, (err, kill) => {
        if (!sent && /listening on http/.test(err)) {
          sent = true;
          kill();
        }
      });
      expect(r.code).toBe(0);
      expect(r.err).toMatch(/closed/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('names the package to install when the project has no server', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'portcullis-cli-noserver-'));
    try {
      // should it find a server after all, stop it: the test then fails on the exit code instead of hanging
      const r = await run(['serve', '--port', '0'], dir, (err, kill) => {
        if (/listening on http/.test(err)) kill();
      });
      expect(r.code).toBe(2);
      expect(r.err).toMatch(/@portcullis\/server/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
