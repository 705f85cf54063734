// Crash test: a child process commits in a loop and prints every acknowledged revision; the parent SIGKILLs it
// at a random moment, five times over one file. After each kill the file must hold every acknowledged commit,
// no commit in part, and pass `PRAGMA integrity_check`.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parseSource } from '@portcullis/engine';
import { applyChanges } from '@portcullis/engine/store-kit';
import { openSqliteStore } from '@portcullis/store-sqlite';

const COMMITTER = fileURLToPath(new URL('./committer.mjs', import.meta.url));
const POLICIES_PER_BATCH = 5;
const ROUNDS = 5;

interface Ack {
  revision: number;
  batch: string;
}

/**
 * Runs the committer and SIGKILLs it at a random moment: `afterFirstAck` false kills after `delayMs` from
 * the start (possibly before the schema exists), true kills `delayMs` after its first acknowledged commit,
 * so the kill lands mid-loop however slow the machine is.
 */
function runAndKill(file: string, tag: string, delayMs: number, afterFirstAck: boolean): Promise<Ack[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [COMMITTER, file, tag], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let timer: NodeJS.Timeout | undefined;
    const kill = () => child.kill('SIGKILL');
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (afterFirstAck && timer === undefined && out.includes('ack ')) timer = setTimeout(kill, delayMs);
    });
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    if (!afterFirstAck) timer = setTimeout(kill, delayMs);
    const giveUp = setTimeout(kill, 15_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      clearTimeout(giveUp);
      if (signal !== 'SIGKILL') return reject(new Error(`committer ended by itself (code ${code}): ${err}`));
      const acks = out
        .split('\n')
        .filter((l) => l.startsWith('ack '))
        .map((l) => {
          const [, revision, batch] = l.split(' ');
          return { revision: Number(revision), batch: batch! };
        });
      resolve(acks);
    });
  });
}

describe('crash safety of the SQLite store', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portcullis-crash-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it(`keeps every acknowledged commit whole across ${ROUNDS} SIGKILLs`, { timeout: 30_000 }, async () => {
    const file = path.join(dir, 'crash.db');
    const acked: Ack[] = [];
    let killedWithAcks = 0;
    for (let round = 0; round < ROUNDS; round++) {
      // the first round may die before the schema exists; later ones die mid-loop
      const acks = round === 0 ? await runAndKill(file, 'r0', 30 + Math.random() * 300, false) : await runAndKill(file, `r${round}`, Math.random() * 300, true);
      if (acks.length > 0) killedWithAcks++;
      acked.push(...acks);

      const store = openSqliteStore(file);
      try {
        expect(store.integrityCheck()).toEqual(['ok']);
        const { source, revision } = await store.load();
        expect(revision).toBeGreaterThanOrEqual(Math.max(0, ...acked.map((a) => a.revision)));
        // every acknowledged batch is there
        const groups = new Set(source.groups.map((g) => g.id));
        for (const a of acked) expect(groups.has(a.batch), `acknowledged batch ${a.batch} at revision ${a.revision}`).toBe(true);
        // no batch is there in part: each group has all its policies, and no policy is without its group
        const perGroup = new Map<string, number>();
        for (const p of source.policies) {
          expect(groups.has(p.description!)).toBe(true);
          perGroup.set(p.description!, (perGroup.get(p.description!) ?? 0) + 1);
        }
        for (const g of groups) expect(perGroup.get(g)).toBe(POLICIES_PER_BATCH);
        // one commit per batch, and the change log replays to the same source
        expect(groups.size).toBe(revision);
        const { changes } = await store.changesSince(0);
        expect(applyChanges(parseSource({ version: 1 }), changes)).toEqual(source);
      } finally {
        await store.close();
      }
    }
    // the test means something only if the child got to commit before most kills
    expect(killedWithAcks).toBeGreaterThanOrEqual(ROUNDS - 1);
  });
});
