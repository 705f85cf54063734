// The floors of the engine and the arrows allowed between them (ARCHITECTURE.md): every relative import of every
// source file is read and checked against the table below. A new arrow is a decision: add it here, with the reason,
// or move the code to the floor it belongs on.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = dirname(fileURLToPath(import.meta.url));

/** What each floor may import besides itself. A floor is a folder, a room of manage/, or a top-level file. */
const ALLOWED: Record<string, readonly string[]> = {
  errors: [],
  model: ['errors'],
  compile: ['model', 'errors'],
  evaluate: ['compile', 'model', 'errors'],
  analyze: ['evaluate', 'compile', 'model', 'errors'],
  // the store port and what every store shares: below the engine, beside the model
  store: ['model', 'errors'],
  'prepare-commit': ['store', 'model', 'errors'],
  'store-kit': ['store', 'prepare-commit', 'model', 'errors'],
  // manage: what every room shares (actor, operation, input, etag, page, defineOperation), then the access checks
  // every operation passes, then one room per IAM system; the catalog reads the systems' actions
  manage: ['manage/access', 'model', 'errors'],
  // (prepare-commit: the review reads an operation's rows parsed, as the commit writes them)
  'manage/access': ['manage', 'prepare-commit', 'analyze', 'evaluate', 'compile', 'model', 'errors'],
  'manage/ibm': ['manage', 'manage/access', 'analyze', 'evaluate', 'compile', 'model', 'errors'],
  'manage/cloudflare': ['manage', 'manage/access', 'analyze', 'evaluate', 'compile', 'model', 'errors'],
  'manage/bluexp': ['manage', 'manage/access', 'analyze', 'evaluate', 'compile', 'model', 'errors'],
  'manage/catalog': ['manage', 'manage/ibm', 'manage/cloudflare', 'manage/bluexp', 'model', 'errors'],
  // the defaults as a value: the one place that gathers every room's operations
  'manage/default-guards': ['manage', 'manage/access', 'manage/ibm', 'manage/cloudflare', 'manage/bluexp'],
  // the one stateful place: holds the tables, talks to a store, runs operations through their guards
  engine: ['manage', 'manage/access', 'manage/default-guards', 'store', 'prepare-commit', 'analyze', 'evaluate', 'compile', 'model', 'errors'],
  authzen: ['engine', 'analyze', 'evaluate', 'compile', 'model', 'errors'],
  testing: ['evaluate', 'compile', 'model', 'errors'],
  cli: ['testing', 'authzen', 'engine', 'manage', 'analyze', 'evaluate', 'compile', 'model', 'errors', 'store'],
};
/** The surfaces list names from anywhere; nothing imports them. */
const SURFACES = new Set(['index', 'internals']);

/** The Node modules that do I/O: only the engine, the CLI and the test kit's scenario files touch them. */
const IO_MODULES = /^node:(fs|fs\/promises|net|http|https|child_process|worker_threads|cluster|dgram|dns)$/;
const IO_FLOORS = new Set(['engine', 'cli', 'testing']);

function floorOf(rel: string): string {
  const parts = rel.replace(/\.(ts|js)$/, '').split('/');
  if (parts[0] === 'manage') {
    if (parts.length === 2) return parts[1] === 'default-guards' ? 'manage/default-guards' : 'manage';
    return `manage/${parts[1]}`;
  }
  return parts[0]!;
}

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return sources(p);
    return p.endsWith('.ts') && !p.endsWith('.test.ts') && !p.endsWith('.d.ts') ? [p] : [];
  });
}

interface Arrow {
  file: string;
  from: string;
  to: string;
  /** `import type` / `export type`: erased at build, no load-time dependency. */
  typeOnly?: boolean;
}

function arrows(): { relative: Arrow[]; io: Arrow[] } {
  const out: Arrow[] = [];
  const io: Arrow[] = [];
  for (const file of sources(SRC)) {
    const rel = relative(SRC, file);
    const from = floorOf(rel);
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/(?:^|\n)\s*(?:import|export)(\s+type\b)?[^'"]*?from\s*'([^']+)'|import\(\s*'([^']+)'\s*\)/g)) {
      const spec = m[2] ?? m[3]!;
      if (spec.startsWith('.')) out.push({ file: rel, from, to: floorOf(relative(SRC, resolve(dirname(file), spec))), typeOnly: m[1] !== undefined });
      else if (IO_MODULES.test(spec)) io.push({ file: rel, from, to: spec });
    }
  }
  return { relative: out, io };
}

describe('the arrows between floors', () => {
  const { relative: all, io } = arrows();

  it('reads the imports of every floor', () => {
    const floors = new Set(all.map((a) => a.from));
    for (const f of ['model', 'compile', 'evaluate', 'analyze', 'manage', 'manage/access', 'manage/ibm', 'manage/cloudflare', 'manage/bluexp', 'engine'])
      expect(floors.has(f), f).toBe(true);
    expect(all.length).toBeGreaterThan(300);
  });

  it('runs only where the table allows', () => {
    const wrong = all
      .filter((a) => a.from !== a.to && !SURFACES.has(a.from))
      .filter((a) => SURFACES.has(a.to) || !(ALLOWED[a.from] ?? []).includes(a.to))
      .map((a) => `${a.file}: ${a.from} -> ${a.to}`);
    expect(wrong).toEqual([]);
  });

  it('has a row for every floor', () => {
    const unknown = [...new Set(all.map((a) => a.from))].filter((f) => !SURFACES.has(f) && ALLOWED[f] === undefined);
    expect(unknown).toEqual([]);
  });

  it('lets the shared manage files see the access floor only as types (the access floor builds on them)', () => {
    expect(all.filter((a) => a.from === 'manage' && a.to === 'manage/access' && !a.typeOnly).map((a) => a.file)).toEqual([]);
  });

  it('keeps evaluate and compile pure: neither imports manage, a store or the engine', () => {
    const impure = all.filter((a) => (a.from === 'evaluate' || a.from === 'compile') && /^(manage|store|prepare-commit|engine)/.test(a.to));
    expect(impure).toEqual([]);
  });

  it('does I/O only in the engine, the CLI and the test kit', () => {
    expect(io.filter((a) => !IO_FLOORS.has(a.from)).map((a) => `${a.file}: ${a.to}`)).toEqual([]);
  });

  it('catches an arrow that runs back up (the check itself can fail)', () => {
    const upward = { file: 'compile/x.ts', from: 'compile', to: 'analyze' };
    expect((ALLOWED[upward.from] ?? []).includes(upward.to)).toBe(false);
    expect(floorOf('manage/ibm/policies.ts')).toBe('manage/ibm');
    expect(floorOf('manage/operation.ts')).toBe('manage');
    expect(floorOf('store.ts')).toBe('store');
  });
});
