/**
 * Source hygiene: only src/shm/ touches Atomics or creates a
 * SharedArrayBuffer (everything else goes through the Shm gateway), except
 * the benchmarks' own baselines in bench/floor.ts, and every Atomics.wait is
 * bounded by a timeout.
 *
 * The checks read the TypeScript sources (src/, workers/, bench/) with
 * comments, string and template text, and regular-expression literals blanked
 * out, so a comment that mentions `Atomics.store` is not a use.
 */
import { expect } from 'chai';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

const ROOT = process.cwd();
const SCANNED = ['src', 'workers', 'bench'];
/** The shared-memory gateway, and the one file of benchmark baselines that measure bare Atomics. */
const MAY_USE_ATOMICS = (rel: string): boolean => rel.startsWith('src/shm/') || rel === 'bench/floor.ts';

function tsFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...tsFiles(path));
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

/** A '/' after one of these starts a regular expression, not a division. */
const REGEX_PRECEDERS = new Set(['', '(', ',', '=', ':', '[', '!', '&', '|', '?', '{', '}', ';', '+', '-', '*', '%', '<', '>', '~', '^']);
const REGEX_KEYWORDS = /(?:^|[^\w$])(?:return|typeof|case|do|else|in|of|new|delete|void|throw|yield|await)$/;

/**
 * Replaces comments, string/template literal text and regex literals with
 * spaces (newlines kept, so line numbers survive). Template substitutions
 * `${...}` stay as code.
 */
function codeOnly(src: string): string {
  const out = src.split('');
  const blank = (from: number, to: number): void => {
    for (let k = from; k < to; k++) if (out[k] !== '\n') out[k] = ' ';
  };
  const braces: number[] = []; // for each open template substitution, the brace depth where it began
  let depth = 0;
  let i = 0;
  let lastSignificant = '';
  const scanTemplate = (start: number): number => {
    // start is just after a '`' or a '}' that closes a substitution; returns the index after the template part.
    let j = start;
    while (j < src.length) {
      const ch = src[j];
      if (ch === '\\') { j += 2; continue; }
      if (ch === '`') { blank(start, j); return j + 1; }
      if (ch === '$' && src[j + 1] === '{') {
        blank(start, j);
        braces.push(depth);
        depth++;
        return j + 2;
      }
      j++;
    }
    blank(start, src.length);
    return src.length;
  };
  while (i < src.length) {
    const ch = src[i] as string;
    const next = src[i + 1];
    if (ch === '/' && next === '/') {
      const end = src.indexOf('\n', i);
      const stop = end < 0 ? src.length : end;
      blank(i, stop);
      i = stop;
      continue;
    }
    if (ch === '/' && next === '*') {
      const end = src.indexOf('*/', i + 2);
      const stop = end < 0 ? src.length : end + 2;
      blank(i, stop);
      i = stop;
      continue;
    }
    if (ch === '\'' || ch === '"') {
      let j = i + 1;
      while (j < src.length && src[j] !== ch && src[j] !== '\n') j += src[j] === '\\' ? 2 : 1;
      blank(i + 1, j);
      i = j + 1;
      lastSignificant = 'x';
      continue;
    }
    if (ch === '`') {
      i = scanTemplate(i + 1);
      lastSignificant = 'x';
      continue;
    }
    if (ch === '/') {
      const before = src.slice(0, i).trimEnd();
      const isRegex = REGEX_PRECEDERS.has(lastSignificant) || REGEX_KEYWORDS.test(before);
      if (isRegex) {
        let j = i + 1;
        let inClass = false;
        while (j < src.length && src[j] !== '\n') {
          const c = src[j];
          if (c === '\\') { j += 2; continue; }
          if (c === '[') inClass = true;
          else if (c === ']') inClass = false;
          else if (c === '/' && !inClass) break;
          j++;
        }
        blank(i + 1, j);
        i = j + 1;
        lastSignificant = 'x';
        continue;
      }
    }
    if (ch === '{') depth++;
    if (ch === '}') {
      if (braces.length > 0 && braces[braces.length - 1] === depth - 1) {
        braces.pop();
        depth--;
        i = scanTemplate(i + 1);
        lastSignificant = 'x';
        continue;
      }
      depth--;
    }
    if (!/\s/.test(ch)) lastSignificant = /[\w$)\].]/.test(ch) ? 'x' : ch;
    i++;
  }
  return out.join('');
}

/** The top-level arguments of the call whose '(' is at `open`, or null if unbalanced. */
function callArguments(code: string, open: number): string[] | null {
  let depth = 0;
  let start = open + 1;
  const args: string[] = [];
  for (let j = open; j < code.length; j++) {
    const c = code[j];
    if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') {
      depth--;
      if (depth === 0) {
        const last = code.slice(start, j).trim();
        if (last !== '') args.push(last);
        return args;
      }
    } else if (c === ',' && depth === 1) {
      args.push(code.slice(start, j).trim());
      start = j + 1;
    }
  }
  return null;
}

const lineOf = (text: string, index: number): number => text.slice(0, index).split('\n').length;

interface SourceFile { rel: string; code: string }

function sources(): SourceFile[] {
  return SCANNED.flatMap((d) => tsFiles(join(ROOT, d))).map((path) => ({
    rel: relative(ROOT, path).split(sep).join('/'),
    code: codeOnly(readFileSync(path, 'utf8')),
  }));
}

describe('tidy', () => {
  const files = sources();

  it('scans the runtime sources', () => {
    const names = files.map((f) => f.rel);
    expect(names).to.include.members(['src/shm/shm.ts', 'src/epoch/manager.ts', 'workers/cpu.ts']);
    // The blanking keeps real code: the gateway's own Atomics calls are still visible.
    const gateway = files.find((f) => f.rel === 'src/shm/shm.ts')!.code;
    expect(gateway).to.contain('Atomics.compareExchange(');
    expect(gateway).to.contain('Atomics.wait(');
    expect(gateway).to.contain('new SharedArrayBuffer(');
  });

  it('blanks comments, strings and regular expressions but keeps code', () => {
    const sample = [
      'const a = 1; // Atomics.load(x)',
      '/* Atomics.add */ const b = \'Atomics.store\' + "Atomics.wait(";',
      'const c = `Atomics. ${Atomics.load(i32, 0)} Atomics.`;',
      'const d = /Atomics\\.[/]/.test(s) ? x / 2 : y;',
      'new SharedArrayBuffer(8);',
    ].join('\n');
    const code = codeOnly(sample);
    expect(code.split('\n')).to.have.length(5);
    expect(code.match(/Atomics\./g)).to.have.length(1);
    expect(code).to.contain('${Atomics.load(i32, 0)}');
    expect(code).to.contain('x / 2');
    expect(code).to.contain('new SharedArrayBuffer(8)');
  });

  it('uses Atomics only inside src/shm/ (and the benchmark baselines)', () => {
    const offenders: string[] = [];
    for (const f of files) {
      if (MAY_USE_ATOMICS(f.rel)) continue;
      for (const m of f.code.matchAll(/\bAtomics\s*\./g)) offenders.push(`${f.rel}:${lineOf(f.code, m.index)}`);
    }
    expect(offenders).to.deep.equal([]);
  });

  it('creates SharedArrayBuffers only inside src/shm/ (and the benchmark baselines)', () => {
    const offenders: string[] = [];
    for (const f of files) {
      if (MAY_USE_ATOMICS(f.rel)) continue;
      for (const m of f.code.matchAll(/\bnew\s+SharedArrayBuffer\b/g)) offenders.push(`${f.rel}:${lineOf(f.code, m.index)}`);
    }
    expect(offenders).to.deep.equal([]);
  });

  it('bounds every Atomics.wait with a timeout (4 arguments)', () => {
    const calls: string[] = [];
    const unbounded: string[] = [];
    for (const f of files) {
      for (const m of f.code.matchAll(/\bAtomics\s*\.\s*wait\s*\(/g)) {
        const open = m.index + m[0].length - 1;
        const where = `${f.rel}:${lineOf(f.code, m.index)}`;
        calls.push(where);
        const args = callArguments(f.code, open);
        if (args === null || args.length !== 4) unbounded.push(`${where} (${args === null ? 'unparsed' : `${args.length} arguments`})`);
      }
    }
    expect(calls.length, 'expected to find the gateway\'s bounded waits').to.be.greaterThan(0);
    expect(unbounded).to.deep.equal([]);
  });
});
