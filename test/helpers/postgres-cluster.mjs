// A throwaway PostgreSQL cluster for the tests and the benches: finds the server binaries (installing the Debian
// package first when they are missing and we are root), runs initdb in a fresh temporary directory as a non-root
// user (initdb and postgres refuse root), starts the server on a free local port and stops it again.
// Plain JavaScript so vitest's globalSetup, test child processes and bench/ can all import it unbuilt.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

const IS_ROOT = process.getuid?.() === 0;
const RUN_AS = 'postgres';

/** The directory holding initdb, pg_ctl and postgres; installs postgresql-15 when root and none is found. */
export function findPostgresBin() {
  const found = searchBin();
  if (found) return found;
  if (!IS_ROOT) throw new Error('postgresql server binaries not found (looked in /usr/lib/postgresql/*/bin): install postgresql-15');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  run('apt-get', ['update'], { env });
  const r = spawnSync('apt-get', ['install', '-y', '--no-install-recommends', 'postgresql-15'], { env, encoding: 'utf8' });
  if (r.status !== 0) run('apt-get', ['install', '-y', '--no-install-recommends', 'postgresql'], { env });
  const bin = searchBin();
  if (!bin) throw new Error('postgresql installed, but no initdb found under /usr/lib/postgresql');
  return bin;
}

function searchBin() {
  const root = '/usr/lib/postgresql';
  if (!fs.existsSync(root)) return undefined;
  const versions = fs
    .readdirSync(root)
    .filter((v) => fs.existsSync(path.join(root, v, 'bin', 'initdb')))
    .sort((a, b) => (a === '15' ? -1 : b === '15' ? 1 : Number(b) - Number(a)));
  return versions.length ? path.join(root, versions[0], 'bin') : undefined;
}

function run(cmd, args, options = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', ...options });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status ?? r.signal}): ${r.stderr || r.stdout || r.error}`);
  return r.stdout;
}

/** Runs a server binary as the cluster's owner: `postgres` when we are root, ourselves otherwise. */
function runBin(bin, name, args) {
  const exe = path.join(bin, name);
  return IS_ROOT ? run('runuser', ['-u', RUN_AS, '--', exe, ...args]) : run(exe, args);
}

function ensureUser() {
  if (!IS_ROOT) return;
  if (spawnSync('id', ['-u', RUN_AS]).status === 0) return;
  run('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', RUN_AS]);
}

/**
 * A detached watcher that stops the cluster and removes its directory once `pid` is gone, so a test run that is
 * killed (Ctrl-C, a CI timeout) leaves no server behind on a shared machine; a normal `destroy()` makes it exit.
 */
function reapWhenGone(pid, bin, data, dir) {
  const stop = IS_ROOT ? ['runuser', '-u', RUN_AS, '--', path.join(bin, 'pg_ctl')] : [path.join(bin, 'pg_ctl')];
  const script = `
    const { spawnSync } = require('node:child_process');
    const fs = require('node:fs');
    const timer = setInterval(() => {
      if (!fs.existsSync(${JSON.stringify(data)})) process.exit(0);
      try { process.kill(${pid}, 0); return; } catch {}
      clearInterval(timer);
      spawnSync(${JSON.stringify(stop[0])}, ${JSON.stringify([...stop.slice(1), '-D', data, '-m', 'immediate', 'stop'])});
      fs.rmSync(${JSON.stringify(dir)}, { recursive: true, force: true });
    }, 1000);`;
  spawn(process.execPath, ['-e', script], { detached: true, stdio: 'ignore' }).unref();
}

/** A free TCP port on 127.0.0.1 (the kernel's choice; the tiny race with another process is accepted). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Creates and starts a cluster. `fsync: false` (the default, for tests) trades power-cut safety for speed; a
 * server crash (`stop('immediate')`) loses nothing either way, since the WAL sits in the OS's page cache.
 * Returns `{ url, port, dir, stop(mode), start(), destroy() }`.
 */
export async function startCluster({ fsync = false } = {}) {
  const bin = findPostgresBin();
  ensureUser();
  // a directory the cluster's owner can enter wherever the checkout lives (not under a private home)
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portcullis-pg-'));
  fs.chmodSync(dir, 0o755);
  if (IS_ROOT) run('chown', [RUN_AS, dir]);
  const data = path.join(dir, 'data');
  runBin(bin, 'initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync', '--no-instructions']);
  const port = await freePort();
  const log = path.join(dir, 'server.log');
  const options = [`-p ${port}`, `-k ${dir}`, `-c listen_addresses=127.0.0.1`, `-c fsync=${fsync ? 'on' : 'off'}`, '-c max_connections=200'];
  const start = () => runBin(bin, 'pg_ctl', ['-D', data, '-l', log, '-w', '-t', '60', '-o', options.join(' '), 'start']);
  const stop = (mode = 'fast') => runBin(bin, 'pg_ctl', ['-D', data, '-w', '-t', '60', '-m', mode, 'stop']);
  start();
  reapWhenGone(process.pid, bin, data, dir);
  return {
    url: `postgresql://postgres@127.0.0.1:${port}/postgres`,
    port,
    dir,
    start,
    stop,
    /** Stops the server (if running) and removes its directory. */
    destroy() {
      try {
        stop('fast');
      } catch {
        // already stopped
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
