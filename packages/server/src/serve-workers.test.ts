// `portcullis-serve --workers 2` as real processes (node:cluster) on one SQLite file, driven by the vendors' real
// SDKs: a client that writes through one worker and reads through the other sees its write at once
// (read-your-writes: each management request catches up with the store first), decisions follow the store in
// every worker, /readyz is ready only while every worker is (a killed worker makes it 503 until its replacement
// is up), SIGTERM drains every worker and exits 0, and a bad start is one line and exit 2.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import IamAccessGroupsV2 from '@ibm-cloud/platform-services/iam-access-groups/v2.js';
import { BearerTokenAuthenticator } from 'ibm-cloud-sdk-core';
import Cloudflare from 'cloudflare';

const MAIN = fileURLToPath(new URL('../dist/serve-main.js', import.meta.url));
const IBM_ACCOUNT = 'acct-ibm';
const CF_ACCOUNT = '0123456789abcdef0123456789abcdef';
const ADMIN = 'ibm-admin-token-0123456789';
const CF_ADMIN = 'cf-admin-token-0123456789';
const PEP = 'pep-token-0123456789abcdef';
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'portcullis-workers-'));
  writeFileSync(
    join(dir, 'tokens.json'),
    JSON.stringify({
      tokens: [
        { token: ADMIN, actor: { kind: 'subject', id: 'IBMid-admin', accountId: IBM_ACCOUNT } },
        { token: CF_ADMIN, actor: { kind: 'subject', id: 'cfadmin', accountId: CF_ACCOUNT } },
        { token: PEP, actor: { kind: 'system' } },
      ],
    }),
  );
  writeFileSync(
    join(dir, 'bootstrap.json'),
    JSON.stringify([
      { system: 'ibm', accountId: IBM_ACCOUNT, admin: { id: 'IBMid-admin', email: 'admin@example.com' } },
      { system: 'cloudflare', accountId: CF_ACCOUNT, admin: { id: 'cfadmin', email: 'cfadmin@example.com' } },
    ]),
  );
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

interface Started {
  child: ChildProcess;
  url: string;
  out: string[];
  err: string[];
  done: Promise<number | null>;
}

/** Starts the bin and resolves once the primary says where its workers listen. */
function start(args: string[]): Promise<Started> {
  const child = spawn(process.execPath, [MAIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const out: string[] = [];
  const err: string[] = [];
  const done = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let partial = '';
  child.stdout!.on('data', (d) => {
    const lines = (partial + String(d)).split('\n');
    partial = lines.pop()!;
    out.push(...lines.filter(Boolean));
  });
  return new Promise((resolve, reject) => {
    child.stderr!.on('data', (d) => {
      err.push(...String(d).split('\n').filter(Boolean));
      const m = /listening on (http:\/\/\S+)/.exec(err.join('\n'));
      if (m) resolve({ child, url: m[1]!, out, err, done });
    });
    void done.then((code) => reject(new Error(`exited ${code}: ${err.join('\n')}`)));
  });
}

/** The pid of the worker that served each logged request, by method and path. */
function servedBy(out: string[]): { pid: number; method: string; url: string; status: number }[] {
  return out.map((l) => JSON.parse(l)).filter((l) => l.msg === 'request');
}

/**
 * Polls until `what` holds. A probe that fails or hangs counts as "not yet": while a worker dies, a connection the
 * cluster had just handed to it is lost (node:cluster does not hand it to another worker).
 */
async function until(what: () => Promise<boolean>, ms = 30_000, probeMs = 3000): Promise<void> {
  const end = Date.now() + ms;
  for (;;) {
    const ok = await Promise.race([what().catch(() => false), new Promise<boolean>((r) => setTimeout(() => r(false), probeMs))]);
    if (ok) return;
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** /readyz's status, on a new connection, given up after `ms` (3 s unless told). */
const readyz = (url: string, ms = 3000) => fetch(url + '/readyz', { headers: { connection: 'close' }, signal: AbortSignal.timeout(ms) }).then((r) => r.status);

describe('portcullis-serve --workers 2', () => {
  it('read-your-writes across workers through the real SDKs; decisions follow the store in every worker', async () => {
    const s = await start(['--db', join(dir, 'ryw.db'), '--port', '0', '--workers', '2', '--tokens', join(dir, 'tokens.json'), '--bootstrap', join(dir, 'bootstrap.json')]);
    try {
      // every request on a new connection (`Connection: close`): the cluster hands new connections to the workers
      // in turn, so a read right after a write goes to the other worker
      const client = () => new IamAccessGroupsV2({ authenticator: new BearerTokenAuthenticator({ bearerToken: ADMIN }), serviceUrl: s.url, headers: { Connection: 'close' } });
      const a = client();
      const b = client();
      for (let i = 0; i < 12; i++) {
        const [writer, reader] = i % 2 === 0 ? [a, b] : [b, a];
        const created = await writer.createAccessGroup({ accountId: IBM_ACCOUNT, name: `team ${i}` });
        // read at once, through the other client: no wait for the feed
        const got = await reader.getAccessGroup({ accessGroupId: created.result.id! });
        expect(got.result.name).toBe(`team ${i}`);
        const renamed = await reader.updateAccessGroup({ accessGroupId: created.result.id!, ifMatch: got.headers['etag'] as string, name: `renamed ${i}` });
        expect((await writer.getAccessGroup({ accessGroupId: created.result.id! })).result.name).toBe(renamed.result.name);
        const listed = await reader.listAccessGroups({ accountId: IBM_ACCOUNT, hidePublicAccess: true, limit: 100 });
        expect(listed.result.groups!.map((g) => g.name)).toContain(`renamed ${i}`);
      }
      const cfa = new Cloudflare({ apiToken: CF_ADMIN, baseURL: `${s.url}/client/v4`, maxRetries: 0, defaultHeaders: { connection: 'close' } });
      const cfb = new Cloudflare({ apiToken: CF_ADMIN, baseURL: `${s.url}/client/v4`, maxRetries: 0, defaultHeaders: { connection: 'close' } });
      for (let i = 0; i < 6; i++) {
        const group = await cfa.iam.userGroups.create({ account_id: CF_ACCOUNT, name: `cf ${i}`, policies: [] } as never);
        expect((await cfb.iam.userGroups.get(group.id, { account_id: CF_ACCOUNT })).name).toBe(`cf ${i}`);
      }
      // both workers served, and some reads were served by another worker than the write before them
      const lines = servedBy(s.out);
      const pids = new Set(lines.map((l) => l.pid));
      expect(pids.size).toBe(2);
      let crossed = 0;
      for (let i = 1; i < lines.length; i++) if (lines[i - 1]!.method === 'POST' && lines[i]!.method === 'GET' && lines[i]!.pid !== lines[i - 1]!.pid) crossed++;
      // the cluster's hand-off is round-robin only on a quiet machine: under load (seen: 9 of 18 at load 8) a worker
      // can take two in a row, so this asks only that reads after writes did cross workers, more than once
      expect(crossed).toBeGreaterThanOrEqual(2);

      // a decision through every worker sees the bootstrap's admin grant; a new group's member follows the feed
      const ask = () =>
        fetch(s.url + '/access/v1/evaluation', {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${PEP}` },
          body: JSON.stringify({ subject: { type: 'user', id: 'IBMid-admin' }, action: { name: 'iam-groups.groups.read' }, resource: { type: 'resource', id: '-', properties: { accountId: IBM_ACCOUNT, serviceName: 'iam-groups' } } }),
        }).then((r) => r.json() as Promise<{ decision: boolean }>);
      for (let i = 0; i < 6; i++) expect((await ask()).decision).toBe(true);
    } finally {
      s.child.kill('SIGTERM');
    }
    expect(await s.done).toBe(0);
    expect(s.err.join('\n')).toMatch(/SIGTERM: closing[\s\S]*closed/);
  });

  it('is ready only while every worker is: a killed worker is replaced, and SIGTERM drains them all', async () => {
    const s = await start(['--db', join(dir, 'ready.db'), '--port', '0', '--workers', '2', '--log-level', 'info']);
    try {
      await until(async () => (await readyz(s.url)) === 200);
      const pids = () => new Set(servedBy(s.out).map((l) => l.pid));
      await until(async () => {
        await fetch(s.url + '/healthz', { headers: { connection: 'close' }, signal: AbortSignal.timeout(3000) });
        return pids().size === 2;
      });
      const victim = [...pids()][0]!;
      process.kill(victim, 'SIGKILL');
      // the survivor answers 503 until a replacement is up and ready, then 200 again. The window is the primary's
      // one-second pause before the replacement plus its start: probes give up after 250 ms, since a probe handed to
      // the dying worker is lost, and one that waited 3 s could outlast the whole window (seen in a clean-clone run)
      await until(async () => (await readyz(s.url, 250)) === 503, 30_000, 250);
      await until(async () => (await readyz(s.url)) === 200);
      expect(s.err.join('\n')).toMatch(new RegExp(`worker ${victim} exited \\(SIGKILL\\); starting another`));
    } finally {
      s.child.kill('SIGTERM');
    }
    expect(await s.done).toBe(0);
    expect(s.err.join('\n')).toMatch(/SIGTERM: closing[\s\S]*closed/);
  });

  it('a bad start is one message and exit 2, before any worker starts', async () => {
    const child = spawn(process.execPath, [MAIN, '--db', join(dir, 'bad.db'), '--port', '0', '--workers', '2', '--tokens', join(dir, 'missing.json')], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr!.on('data', (d) => (err += String(d)));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(2);
    // one message (as a single process gives it), from the primary alone: no worker was started
    expect(err.match(/portcullis serve:/g)).toHaveLength(1);
    expect(err).toMatch(/cannot read token file/);
    const usage = spawn(process.execPath, [MAIN, '--workers', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    expect(await new Promise((resolve) => usage.once('exit', resolve))).toBe(2);
  });
});
