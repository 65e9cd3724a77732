/**
 * Band-math expressions such as `(nir-red)/(nir+red)`: a small recursive-descent parser with a
 * whitelist of operators and functions, and a vectorised evaluator over Float32 arrays.
 * Nothing is ever passed to eval/Function. Written by hand because the general-purpose expression
 * libraries either evaluate arbitrary JavaScript-like syntax or cannot name the offending token.
 *
 *   expr   := term (('+' | '-') term)*
 *   term   := unary (('*' | '/') unary)*
 *   unary  := ('-' | '+') unary | power
 *   power  := primary ('^' unary)?
 *   primary:= number | variable | func '(' expr (',' expr)* ')' | '(' expr ')'
 */
import { MAX_EXPRESSION_LENGTH } from '../contract/tiles.js';
export type Expr =
  | { t: 'num'; v: number }
  | { t: 'var'; name: string }
  | { t: 'neg'; a: Expr }
  | { t: 'bin'; op: '+' | '-' | '*' | '/' | '^'; a: Expr; b: Expr }
  | { t: 'call'; fn: FnName; args: Expr[] };

const FUNCS = { abs: 1, sqrt: 1, log: 1, exp: 1, min: 2, max: 2, pow: 2 } as const;
type FnName = keyof typeof FUNCS;
const EXPRESSION_FUNCTIONS = Object.keys(FUNCS);
const MAX_NODES = 256;

export class ExpressionError extends Error {
  constructor(
    message: string,
    readonly position: number,
  ) {
    super(message);
  }
}

interface Token {
  kind: 'num' | 'id' | 'op' | 'end';
  text: string;
  pos: number;
}

function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const ch = src[i]!;
    if (ch === ' ' || ch === '\t') {
      i++;
      continue;
    }
    const num = /^(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?/.exec(src.slice(i));
    if (num) {
      tokens.push({ kind: 'num', text: num[0], pos: i });
      i += num[0].length;
      continue;
    }
    const id = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i));
    if (id) {
      tokens.push({ kind: 'id', text: id[0], pos: i });
      i += id[0].length;
      continue;
    }
    if ('+-*/^(),'.includes(ch)) {
      tokens.push({ kind: 'op', text: ch, pos: i });
      i++;
      continue;
    }
    throw new ExpressionError(`unexpected character "${ch}" at position ${i}`, i);
  }
  tokens.push({ kind: 'end', text: 'end of expression', pos: src.length });
  return tokens;
}

/** Parses an expression; variables must be in `variables` (the scene's variable names). */
export function parseExpression(src: string, variables: readonly string[]): Expr {
  if (src.length === 0) throw new ExpressionError('the expression is empty', 0);
  if (src.length > MAX_EXPRESSION_LENGTH) throw new ExpressionError(`the expression is longer than ${MAX_EXPRESSION_LENGTH} characters`, MAX_EXPRESSION_LENGTH);
  const tokens = tokenize(src);
  let p = 0;
  let nodes = 0;
  const peek = () => tokens[p]!;
  const next = () => tokens[p++]!;
  const node = <T extends Expr>(e: T): T => {
    if (++nodes > MAX_NODES) throw new ExpressionError(`the expression has more than ${MAX_NODES} terms`, peek().pos);
    return e;
  };
  const expect = (text: string) => {
    const t = next();
    if (t.text !== text) throw new ExpressionError(`expected "${text}" at position ${t.pos}, found "${t.text}"`, t.pos);
  };

  const primary = (): Expr => {
    const t = next();
    if (t.kind === 'num') return node({ t: 'num', v: Number(t.text) });
    if (t.kind === 'id') {
      if (peek().text === '(') {
        if (!Object.hasOwn(FUNCS, t.text)) throw new ExpressionError(`unknown function "${t.text}" at position ${t.pos} (allowed: ${EXPRESSION_FUNCTIONS.join(', ')})`, t.pos);
        const fn = t.text as FnName;
        next();
        const args = [expr()];
        while (peek().text === ',') {
          next();
          args.push(expr());
        }
        expect(')');
        if (args.length !== FUNCS[fn]) throw new ExpressionError(`function "${fn}" takes ${FUNCS[fn]} argument(s), got ${args.length} at position ${t.pos}`, t.pos);
        return node({ t: 'call', fn, args });
      }
      if (!variables.includes(t.text)) {
        throw new ExpressionError(`unknown variable "${t.text}" at position ${t.pos} (this scene has: ${variables.join(', ')})`, t.pos);
      }
      return node({ t: 'var', name: t.text });
    }
    if (t.text === '(') {
      const e = expr();
      expect(')');
      return e;
    }
    throw new ExpressionError(`unexpected "${t.text}" at position ${t.pos}`, t.pos);
  };
  const power = (): Expr => {
    const base = primary();
    if (peek().text === '^') {
      next();
      return node({ t: 'bin', op: '^', a: base, b: unary() });
    }
    return base;
  };
  const unary = (): Expr => {
    const t = peek();
    if (t.text === '-' || t.text === '+') {
      next();
      const a = unary();
      return t.text === '-' ? node({ t: 'neg', a }) : a;
    }
    return power();
  };
  const term = (): Expr => {
    let a = unary();
    while (peek().text === '*' || peek().text === '/') {
      const op = next().text as '*' | '/';
      a = node({ t: 'bin', op, a, b: unary() });
    }
    return a;
  };
  const expr = (): Expr => {
    let a = term();
    while (peek().text === '+' || peek().text === '-') {
      const op = next().text as '+' | '-';
      a = node({ t: 'bin', op, a, b: term() });
    }
    return a;
  };
  const result = expr();
  const rest = peek();
  if (rest.kind !== 'end') throw new ExpressionError(`unexpected "${rest.text}" at position ${rest.pos}`, rest.pos);
  return result;
}

export function expressionVariables(e: Expr, acc = new Set<string>()): Set<string> {
  switch (e.t) {
    case 'num': break;
    case 'var': acc.add(e.name); break;
    case 'neg': expressionVariables(e.a, acc); break;
    case 'bin': expressionVariables(e.a, acc); expressionVariables(e.b, acc); break;
    case 'call': e.args.forEach((a) => expressionVariables(a, acc)); break;
  }
  return acc;
}

type Val = number | Float32Array;

function map1(a: Val, f: (x: number) => number): Val {
  if (typeof a === 'number') return f(a);
  const out = new Float32Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = f(a[i]!);
  return out;
}

function map2(a: Val, b: Val, f: (x: number, y: number) => number, n: number): Val {
  if (typeof a === 'number' && typeof b === 'number') return f(a, b);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = f(typeof a === 'number' ? a : a[i]!, typeof b === 'number' ? b : b[i]!);
  return out;
}

const BIN: Record<'+' | '-' | '*' | '/' | '^', (x: number, y: number) => number> = {
  '+': (x, y) => x + y,
  '-': (x, y) => x - y,
  '*': (x, y) => x * y,
  // Division by zero is nodata, not Infinity.
  '/': (x, y) => (y === 0 ? NaN : x / y),
  '^': (x, y) => x ** y,
};

const FN: Record<FnName, (...xs: number[]) => number> = {
  abs: Math.abs,
  sqrt: Math.sqrt,
  log: Math.log,
  exp: Math.exp,
  min: Math.min,
  max: Math.max,
  pow: (x, y) => x ** y,
};

/** Evaluates over arrays of `n` pixels; non-finite results become NaN (nodata). */
export function evaluate(e: Expr, vars: Record<string, Float32Array>, n: number): Float32Array {
  const go = (x: Expr): Val => {
    switch (x.t) {
      case 'num': return x.v;
      case 'var': {
        const v = vars[x.name];
        if (!v) throw new Error(`variable ${x.name} was not read`);
        return v;
      }
      case 'neg': return map1(go(x.a), (v) => -v);
      case 'bin': return map2(go(x.a), go(x.b), BIN[x.op], n);
      case 'call': {
        const f = FN[x.fn];
        const args = x.args.map(go);
        if (args.length === 1) return map1(args[0]!, (v) => f(v));
        return map2(args[0]!, args[1]!, (a, b) => f(a, b), n);
      }
    }
  };
  const r = go(e);
  const out = typeof r === 'number' ? new Float32Array(n).fill(r) : r === vars[(e as { name?: string }).name ?? ''] ? Float32Array.from(r) : r;
  for (let i = 0; i < n; i++) if (!Number.isFinite(out[i]!)) out[i] = NaN;
  return out;
}
