// The packages as an npm user gets them (issue 15): every publishable package (each packages/* without
// "private": true, so a new package is covered when it arrives) is packed with `pnpm pack`, checked file by file,
// installed with npm from the tarballs into a scratch strict TypeScript app (skipLibCheck off, NodeNext, plus one
// CommonJS consumer), where the README's TypeScript examples compile and run and the CLI runs through npx; then
// `npm publish --dry-run` takes each tarball. It needs the npm registry for the packages' own dependencies (zod …);
// npm's cache makes the later runs quick. Nothing here is timed.
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const LONG = 600_000;

interface Manifest {
  name: string;
  version: string;
  private?: boolean;
  license?: string;
  repository?: { type?: string; url?: string; directory?: string };
  publishConfig?: { access?: string };
  main?: string;
  types?: string;
  bin?: Record<string, string>;
  exports?: Record<string, { types?: string; default?: string }>;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
}

/** The packages npm users install: every packages/* that is not private. */
const publishable = readdirSync(join(root, 'packages'))
  .map((d) => join(root, 'packages', d))
  .filter((d) => existsSync(join(d, 'package.json')))
  .map((dir) => ({ dir, manifest: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Manifest }))
  .filter((p) => p.manifest.private !== true);

function run(cmd: string, args: string[], options: SpawnSyncOptions & { cwd: string }): { code: number | null; out: string; err: string } {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: LONG, maxBuffer: 64 * 2 ** 20, ...options, env: { ...process.env, NO_COLOR: '1', ...options.env } });
  return { code: r.status, out: String(r.stdout ?? ''), err: String(r.stderr ?? '') + (r.error ? String(r.error) : '') };
}
function must(r: { code: number | null; out: string; err: string }, what: string): string {
  if (r.code !== 0) throw new Error(`${what} exited ${r.code}:\n${r.out}\n${r.err}`);
  return r.out;
}

let work = '';
const tarballs = new Map<string, { file: string; files: Map<string, string> }>();

/** The files of a tarball, path (without `package/`) to content; one `tar` per tarball. */
function unpack(file: string): Map<string, string> {
  const dir = mkdtempSync(join(work, 'unpack-'));
  must(run('tar', ['-xzf', file, '-C', dir], { cwd: work }), `tar -xzf ${file}`);
  const files = new Map<string, string>();
  const walk = (d: string, rel: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name), rel ? `${rel}/${e.name}` : e.name);
      else files.set(rel ? `${rel}/${e.name}` : e.name, readFileSync(join(d, e.name), 'utf8'));
    }
  };
  walk(join(dir, 'package'), '');
  return files;
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'portcullis-pack-'));
  mkdirSync(join(work, 'tarballs'));
  for (const { dir, manifest } of publishable) {
    // pnpm, not npm, packs: it turns `workspace:` ranges into the versions users install
    const out = must(run('npx', ['-y', 'pnpm@12.21.0', 'pack', '--pack-destination', join(work, 'tarballs')], { cwd: dir }), `pnpm pack in ${dir}`);
    const file = out.trim().split('\n').pop()!.trim();
    expect(existsSync(file), `pnpm pack printed ${file}`).toBe(true);
    tarballs.set(manifest.name, { file, files: unpack(file) });
  }
}, LONG);

afterAll(() => {
  if (work !== '') rmSync(work, { recursive: true, force: true });
});

describe('the tarballs', () => {
  it('are found for every publishable package', () => {
    expect(publishable.map((p) => p.manifest.name)).toEqual(expect.arrayContaining(['@portcullis/engine', '@portcullis/store-memory', '@portcullis/store-sqlite']));
    expect([...tarballs.keys()].sort()).toEqual(publishable.map((p) => p.manifest.name).sort());
  });

  it('each ships LICENSE, a README and a manifest that publishes publicly, with no workspace ranges', () => {
    for (const [name, { files }] of tarballs) {
      expect(files.get('LICENSE'), `${name}: LICENSE`).toMatch(/Apache License\s+Version 2\.0/);
      expect(files.has('README.md'), `${name}: README.md`).toBe(true);
      const m = JSON.parse(files.get('package.json')!) as Manifest;
      expect(m.license, name).toBe('Apache-2.0');
      expect(m.publishConfig?.access, name).toBe('public');
      expect(m.repository?.url, name).toMatch(/^git\+https:\/\//);
      expect(files.get('package.json'), name).not.toContain('workspace:');
      // what the manifest points at is in the tarball
      const targets = [m.main, m.types, ...Object.values(m.bin ?? {}), ...Object.values(m.exports ?? {}).flatMap((e) => [e.types, e.default])];
      for (const t of targets.filter((x): x is string => x !== undefined)) expect(files.has(posix.normalize(t)), `${name}: ${t}`).toBe(true);
      // a package that builds on the engine takes it as a peer, so one engine (one StoreError class) is installed
      if (name !== '@portcullis/engine' && Object.keys({ ...m.dependencies, ...m.peerDependencies }).includes('@portcullis/engine')) {
        expect(m.dependencies?.['@portcullis/engine'], name).toBeUndefined();
        expect(m.peerDependencies?.['@portcullis/engine'], name).toMatch(/^\^\d/);
      }
    }
  });

  it('each source map points only at files that are in the tarball', () => {
    for (const [name, { files }] of tarballs) {
      let maps = 0;
      for (const [path, text] of files) {
        if (!path.endsWith('.map')) continue;
        maps++;
        const map = JSON.parse(text) as { sources: string[]; sourceRoot?: string };
        for (const s of map.sources) {
          const target = posix.normalize(posix.join(posix.dirname(path), map.sourceRoot ?? '', s));
          expect(files.has(target), `${name}: ${path} -> ${target}`).toBe(true);
        }
      }
      // and every emitted file has its source: nothing stale from an old build is shipped
      for (const path of files.keys()) {
        const m = /^dist\/(.+)\.(?:js|d\.ts)$/.exec(path);
        if (m !== null && files.has(`${path}.map`)) expect(files.has(`src/${m[1]}.ts`), `${name}: ${path} has src/${m[1]}.ts`).toBe(true);
      }
      expect(maps, name).toBeGreaterThan(0);
    }
  });

  it('the engine ships SEMANTICS.md, and its main entry never loads fast-check (an optional peer of ./testing only)', () => {
    const engine = tarballs.get('@portcullis/engine')!.files;
    expect(engine.has('SEMANTICS.md')).toBe(true);
    const m = JSON.parse(engine.get('package.json')!) as Manifest;
    expect(m.dependencies?.['fast-check']).toBeUndefined();
    expect(m.peerDependenciesMeta?.['fast-check']?.optional).toBe(true);
    // walk the static imports from dist/index.js and dist/cli/main.js
    const seen = new Set<string>();
    const bare = new Set<string>();
    const visit = (path: string) => {
      if (seen.has(path)) return;
      seen.add(path);
      const text = engine.get(path);
      expect(text, `imported ${path}`).toBeDefined();
      for (const [, spec] of text!.matchAll(/^\s*(?:import|export)\b[^'"]*?from\s+['"]([^'"]+)['"]|^\s*import\s+['"]([^'"]+)['"]/gm)) {
        if (spec === undefined) continue;
        if (spec.startsWith('.')) visit(posix.normalize(posix.join(posix.dirname(path), spec)));
        else bare.add(spec);
      }
    };
    visit('dist/index.js');
    visit('dist/cli/main.js');
    expect(seen.size).toBeGreaterThan(20);
    expect([...bare].filter((s) => !s.startsWith('node:'))).not.toContain('fast-check');
  });
});

describe('installed with npm into a strict TypeScript app', () => {
  let app = '';
  let src = '';
  let sqliteBuild = '';
  let programs = 0;
  const sh = (cmd: string, args: string[], what: string, cwd = app, env?: NodeJS.ProcessEnv) => must(run(cmd, args, { cwd, env }), what);

  beforeAll(() => {
    app = join(work, 'app');
    src = join(app, 'src');
    mkdirSync(src, { recursive: true });
    // the better-sqlite3 this workspace built, so its native build can be reused instead of compiled again
    const requireFromSqlite = createRequire(join(root, 'packages', 'store-sqlite', 'package.json'));
    const sqliteDir = dirname(requireFromSqlite.resolve('better-sqlite3/package.json'));
    const sqliteVersion = (JSON.parse(readFileSync(join(sqliteDir, 'package.json'), 'utf8')) as Manifest).version;
    sqliteBuild = join(sqliteDir, 'build', 'Release', 'better_sqlite3.node');
    const nodeTypes = (JSON.parse(readFileSync(join(root, 'node_modules', '@types', 'node', 'package.json'), 'utf8')) as Manifest).version;
    writeFileSync(
      join(app, 'package.json'),
      JSON.stringify({
        name: 'scratch-app',
        private: true,
        type: 'module',
        dependencies: {
          ...Object.fromEntries([...tarballs].map(([name, t]) => [name, `file:${t.file}`])),
          'fast-check': '^4.3.0',
          '@types/node': nodeTypes,
        },
        overrides: { 'better-sqlite3': sqliteVersion },
      }),
    );
    writeFileSync(
      join(app, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, skipLibCheck: false, types: ['node'] },
        include: ['src'],
      }),
    );
    // install scripts are skipped on purpose: the first thing run is what a user whose better-sqlite3 was not built sees
    sh('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts', '--prefer-offline', '--loglevel=error'], 'npm install');

    // every TypeScript example of the README and of the engine's README, each its own module, beside the files they
    // read: the README's scenario file and the source it names
    const fenced = (text: string) => [...text.matchAll(/^```(\w+)[^\n]*\n([\s\S]*?)^```/gm)].map(([, lang, body]) => ({ lang: lang!, body: body! }));
    const blocks = fenced(readFileSync(join(root, 'README.md'), 'utf8'));
    // and the engine's own README, as the tarball ships it (what npm shows)
    const engineReadme = fenced(tarballs.get('@portcullis/engine')!.files.get('README.md')!);
    const examples = [...blocks, ...engineReadme].filter((b) => b.lang === 'ts').map((b) => b.body);
    programs = examples.length;
    examples.forEach((p, i) => writeFileSync(join(src, `readme-${i + 1}.ts`), p));
    const scenario = blocks.find((b) => b.lang === 'json' && b.body.includes('"cases"'));
    if (scenario === undefined) throw new Error('the README has no scenario file example');
    writeFileSync(join(src, 'access.scenario.json'), scenario.body);
    copyFileSync(join(root, 'test', 'scenarios', 'storage-source.json'), join(src, 'source.json'));
    writeFileSync(
      join(src, 'consumer.cts'),
      `// a CommonJS consumer: NodeNext compiles these imports to require()
import { createEngine, StoreError, type Decision } from '@portcullis/engine';
import { createMemoryStore } from '@portcullis/store-memory';
import { openSqliteStore } from '@portcullis/store-sqlite';
const engine = createEngine({ source: { version: 1, accounts: [{ id: 'acct-1', system: 'ibm' }] } });
const d: Decision = engine.authorize({ subject: { id: 'u' }, action: 'a.b', resource: { attributes: { accountId: 'acct-1' } } });
console.log(JSON.stringify({ allowed: d.allowed, revision: d.revision, memory: typeof createMemoryStore, sqlite: typeof openSqliteStore, error: typeof StoreError }));
`,
    );
    writeFileSync(
      join(src, 'no-native.ts'),
      `import { openSqliteStore } from '@portcullis/store-sqlite';
import { StoreError } from '@portcullis/engine';
try {
  openSqliteStore('./no-native.sqlite');
  console.log('opened');
} catch (e) {
  console.log(e instanceof StoreError ? e.code : 'not a StoreError');
}
`,
    );
    // one strict compile of all of it, with the packages' declarations and their dependencies' checked
    sh('node', [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', '.'], 'tsc over the README examples and the consumers');
  }, LONG);

  it('without the native build, openSqliteStore says what is missing (native_build_missing) and writes nothing', () => {
    expect(sh('node', ['no-native.js'], 'no-native', src).trim()).toBe('native_build_missing');
    expect(existsSync(join(src, 'no-native.sqlite'))).toBe(false);
  });

  it('runs the README examples and a CommonJS consumer', () => {
    mkdirSync(join(app, 'node_modules', 'better-sqlite3', 'build', 'Release'), { recursive: true });
    copyFileSync(sqliteBuild, join(app, 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node'));
    expect(programs).toBeGreaterThanOrEqual(5);
    // each runs where it is, as its relative paths expect; the PostgreSQL example against the suite's throwaway
    // server (test/postgres-setup.ts), as DATABASE_URL
    const url = process.env.PORTCULLIS_PG_URL;
    expect(url, 'PORTCULLIS_PG_URL from the suite').toBeTruthy();
    for (let i = 1; i <= programs; i++) must(run('node', [`readme-${i}.js`], { cwd: src, env: { DATABASE_URL: url } }), `README example ${i}`);
    expect(JSON.parse(sh('node', ['consumer.cjs'], 'the CommonJS consumer', src))).toEqual({ allowed: false, revision: 0, memory: 'function', sqlite: 'function', error: 'function' });
  }, LONG);

  it('runs the CLI through npx', () => {
    const engine = publishable.find((p) => p.manifest.name === '@portcullis/engine')!.manifest;
    expect(sh('npx', ['--no-install', 'portcullis', '--version'], 'portcullis --version').trim()).toBe(engine.version);
    expect(sh('npx', ['--no-install', 'portcullis', 'validate', 'src/source.json'], 'portcullis validate')).toMatch(/^valid: /);
    expect(sh('npx', ['--no-install', 'portcullis', 'test', 'src/access.scenario.json'], 'portcullis test')).toMatch(/\b0 failed\b/);
  }, LONG);
});

describe('npm publish --dry-run', () => {
  it('accepts each tarball, publicly, without correcting its manifest', () => {
    for (const [name, { file }] of tarballs) {
      const r = run('npm', ['publish', file, '--dry-run'], { cwd: work });
      expect(r.code, `${name}: ${r.err}`).toBe(0);
      expect(r.err, name).toContain('with tag latest and public access (dry-run)');
      expect(r.out, name).toContain(`+ ${name}@`);
      expect(r.err + r.out, name).not.toMatch(/auto-corrected|npm error/i);
    }
  }, LONG);
});
