// The public surface of @portcullis/engine (#18): every name the root, ./testing and ./store-kit export, value or type, read from
// the built declarations with the TypeScript compiler and checked against test/public-surface.json. A change to the
// surface fails here until the list is changed with it: adding or removing a public name is a decision in review.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import ts from 'typescript';

const require = createRequire(import.meta.url);
const expected = JSON.parse(readFileSync(new URL('./public-surface.json', import.meta.url), 'utf8')) as Record<string, string[]>;

/** `value name` or `type name` for every export of the package subpath `spec`, sorted. */
function declaredSurface(spec: string): string[] {
  const dts = require.resolve(spec).replace(/\.js$/, '.d.ts');
  const program = ts.createProgram([dts], { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, noEmit: true, skipLibCheck: true });
  const checker = program.getTypeChecker();
  const file = program.getSourceFile(dts);
  const module = file === undefined ? undefined : checker.getSymbolAtLocation(file);
  if (module === undefined) throw new Error(`no declarations for ${spec}`);
  return checker
    .getExportsOfModule(module)
    .map((e) => {
      const target = e.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(e) : e;
      // `export type { C }` of a class exports its type only
      const d = e.declarations?.[0];
      const typeOnly = d !== undefined && ts.isExportSpecifier(d) && (d.isTypeOnly || d.parent.parent.isTypeOnly);
      return `${target.flags & ts.SymbolFlags.Value && !typeOnly ? 'value' : 'type'} ${e.name}`;
    })
    .sort();
}

describe('the public surface', () => {
  for (const spec of ['@portcullis/engine', '@portcullis/engine/testing', '@portcullis/engine/store-kit']) {
    it(`${spec} exports exactly the listed names`, async () => {
      const declared = declaredSurface(spec);
      expect(declared).toEqual(expected[spec]);
      // the runtime module agrees with its declarations: every value name, and nothing else
      const runtime = Object.keys(await import(spec)).sort();
      expect(runtime).toEqual(declared.filter((n) => n.startsWith('value ')).map((n) => n.slice('value '.length)));
    });
  }

  it('keeps internals off the root: they are on the explicit ./internals subpath', async () => {
    const root = await import('@portcullis/engine');
    const internals = await import('@portcullis/engine/internals');
    for (const name of ['SourceState', 'runGuarded', 'ENTITY_SCHEMAS', 'registerGuard']) expect(name in root, name).toBe(false);
    for (const name of ['SourceState', 'runGuarded', 'ENTITY_SCHEMAS']) expect(name in internals, name).toBe(true);
  });
});
