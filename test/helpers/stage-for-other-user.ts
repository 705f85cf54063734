// Runs a helper script as another user (`nobody`) wherever the checkout lives. A clone in a private directory (a
// home directory, `mktemp -d`) cannot be entered by `nobody`, so the script and the packages it imports (resolved
// the way Node resolves them, dependencies included) are copied to a fresh world-readable directory under the
// system temporary directory, and run from there.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Top-level directories a package never needs at run time: sources, native build inputs, nested installs. */
const SKIP = new Set(['node_modules', 'src', 'deps', 'test', 'tests', 'docs', '.git']);
/** Directories of a native build that only the compiler needed. */
const SKIP_ANYWHERE = new Set(['obj.target', '.deps']);
/** Dependencies needed only at install time (better-sqlite3 fetches its binary with it). */
const SKIP_PACKAGES = new Set(['prebuild-install']);

/** The directory of `name` as Node would find it from `fromDir` (node_modules of it and of every ancestor). */
function findPackage(name: string, fromDir: string): string {
  for (let dir = fromDir; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'node_modules', name);
    if (fs.existsSync(path.join(candidate, 'package.json'))) return fs.realpathSync(candidate);
    if (path.dirname(dir) === dir) throw new Error(`cannot find package \`${name}\` from \`${fromDir}\``);
  }
}

/**
 * Copies `script` and the closure of `packages` (their `dependencies`, recursively) into a new directory that any
 * user can read, laid out as one flat node_modules. Returns the staged script's path and a cleanup.
 */
export function stageForOtherUser(script: string, packages: string[], fromDir: string): { script: string; cleanup: () => void } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'portcullis-staged-'));
  fs.chmodSync(root, 0o755);
  const seen = new Set<string>();
  const stage = (name: string, from: string): void => {
    if (seen.has(name) || SKIP_PACKAGES.has(name)) return;
    seen.add(name);
    const dir = findPackage(name, from);
    const target = path.join(root, 'node_modules', name);
    fs.cpSync(dir, target, {
      recursive: true,
      dereference: true,
      filter: (src) => !SKIP_ANYWHERE.has(path.basename(src)) && (path.dirname(src) !== dir || !SKIP.has(path.basename(src))),
    });
    const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as {
      dependencies?: Record<string, string>;
      peerDependencies?: Record<string, string>;
      peerDependenciesMeta?: Record<string, { optional?: boolean }>;
    };
    // a peer (the stores' @portcullis/engine) is installed beside the package by its user: stage it too
    const peers = Object.keys(pkg.peerDependencies ?? {}).filter((p) => pkg.peerDependenciesMeta?.[p]?.optional !== true);
    for (const dep of [...Object.keys(pkg.dependencies ?? {}), ...peers]) stage(dep, dir);
  };
  for (const p of packages) stage(p, fromDir);
  const staged = path.join(root, path.basename(script));
  fs.copyFileSync(script, staged);
  // every directory enterable and every file readable by others, whatever the umask
  const open = (p: string): void => {
    const st = fs.statSync(p);
    fs.chmodSync(p, st.isDirectory() ? 0o755 : (st.mode & 0o111) !== 0 ? 0o755 : 0o644);
    if (st.isDirectory()) for (const e of fs.readdirSync(p)) open(path.join(p, e));
  };
  open(root);
  return { script: staged, cleanup: () => fs.rmSync(root, { recursive: true, force: true }) };
}
