/**
 * IBM `stringMatch` globs, compiled once: `*` any run (empty and `/` included), `?` one character,
 * `{{*}}` and `{{?}}` literal. Every other character is literal. No RegExp is ever built from the pattern,
 * and matching is linear in the subject for each fixed-length segment (no catastrophic backtracking).
 */
export interface Glob {
  /** 0 exact, 1 prefix (`abc*`), 2 suffix (`*abc`), 3 contains (`*abc*`), 4 anything (`*`), 5 general. */
  readonly kind: 0 | 1 | 2 | 3 | 4 | 5;
  /** For kinds 0..3: the literal text. */
  readonly text: string;
  /** The segments between stars (every kind; kind 5 matches through them). */
  readonly segments: readonly Segment[];
}

/** A fixed-length run of a glob: literal characters and `?` positions. */
export interface Segment {
  readonly text: string;
  /** Positions that match any one character; null when there are none. */
  readonly any: Uint8Array | null;
}

/** Compiles a glob pattern. */
export function compileGlob(pattern: string): Glob {
  const segments: { chars: string[]; any: number[] }[] = [{ chars: [], any: [] }];
  let i = 0;
  while (i < pattern.length) {
    const cur = segments[segments.length - 1]!;
    if (pattern.startsWith('{{*}}', i)) {
      cur.chars.push('*');
      i += 5;
    } else if (pattern.startsWith('{{?}}', i)) {
      cur.chars.push('?');
      i += 5;
    } else if (pattern[i] === '*') {
      segments.push({ chars: [], any: [] });
      i += 1;
    } else if (pattern[i] === '?') {
      cur.any.push(cur.chars.length);
      cur.chars.push('?');
      i += 1;
    } else {
      cur.chars.push(pattern[i]!);
      i += 1;
    }
  }
  const segs: Segment[] = segments.map((s) => {
    let any: Uint8Array | null = null;
    if (s.any.length > 0) {
      any = new Uint8Array(s.chars.length);
      for (const p of s.any) any[p] = 1;
    }
    return { text: s.chars.join(''), any };
  });
  const noWild = segs.every((s) => s.any === null);
  const first = segs[0]!;
  const last = segs[segs.length - 1]!;
  if (segs.length === 1 && noWild) return { kind: 0, text: first.text, segments: segs };
  if (noWild && segs.length === 2) {
    if (last.text === '' && first.text === '') return { kind: 4, text: '', segments: segs };
    if (last.text === '') return { kind: 1, text: first.text, segments: segs };
    if (first.text === '') return { kind: 2, text: last.text, segments: segs };
  }
  if (noWild && segs.length === 3 && first.text === '' && last.text === '')
    return { kind: 3, text: segs[1]!.text, segments: segs };
  if (noWild && segs.every((s) => s.text === '')) return { kind: 4, text: '', segments: segs };
  // Stryker disable next-line StringLiteral: only kinds 0 to 3 read text
  return { kind: 5, text: '', segments: segs };
}

// INVARIANT: every caller keeps `pos + seg.text.length <= s.length` (matchGeneral checks the lengths first, findSegment
// stops at its limit), so a segment is never read past the end of `s`
function segmentAt(s: string, pos: number, seg: Segment): boolean {
  const t = seg.text;
  const any = seg.any;
  if (any === null) return s.startsWith(t, pos);
  for (let k = 0; k < t.length; k++) {
    if (any[k] !== 1 && s.charCodeAt(pos + k) !== t.charCodeAt(k)) return false;
  }
  return true;
}

function findSegment(s: string, from: number, limit: number, seg: Segment): number {
  // a literal run is found by indexOf (a miss, -1, is returned as it is); a run with `?` position by position
  if (seg.any === null) {
    const at = s.indexOf(seg.text, from);
    return at + seg.text.length <= limit ? at : -1;
  }
  for (let p = from; p + seg.text.length <= limit; p++) if (segmentAt(s, p, seg)) return p;
  return -1;
}

/** True when the glob matches the whole of `s`. */
export function matchGlob(g: Glob, s: string): boolean {
  switch (g.kind) {
    case 0:
      return s === g.text;
    case 1:
      return s.startsWith(g.text);
    case 2:
      return s.endsWith(g.text);
    case 3:
      return s.includes(g.text);
    // Stryker disable next-line ConditionalExpression: without this case an all-star glob falls through to matchGeneral, which holds on every string too (this saves its walk)
    case 4:
      return true;
    default:
      return matchGeneral(g.segments, s);
  }
}

function matchGeneral(segs: readonly Segment[], s: string): boolean {
  const n = segs.length;
  const first = segs[0]!;
  if (n === 1) return first.text.length === s.length && segmentAt(s, 0, first);
  const last = segs[n - 1]!;
  // INVARIANT: with at least one star, the first segment is anchored at 0 and the last at the end;
  // middle segments are fixed-length, so taking each at its leftmost place is never worse.
  if (first.text.length + last.text.length > s.length) return false;
  if (!segmentAt(s, 0, first)) return false;
  const end = s.length - last.text.length;
  if (!segmentAt(s, end, last)) return false;
  let pos = first.text.length;
  for (let k = 1; k < n - 1; k++) {
    const seg = segs[k]!;
    const at = findSegment(s, pos, end, seg);
    if (at === -1) return false;
    pos = at + seg.text.length;
  }
  return true;
}
