import { describe, expect, it } from 'vitest';
import { parseExpression, evaluate, ExpressionError, expressionVariables } from '../../../server/render/expression.js';

const V = ['nir', 'red', 'ndvi'];

describe('expression parser', () => {
  it('parses NDVI and evaluates it per pixel', () => {
    const e = parseExpression('(nir-red)/(nir+red)', V);
    expect([...expressionVariables(e)].sort()).toEqual(['nir', 'red']);
    const out = evaluate(e, { nir: Float32Array.from([0.5, 0.3, 0]), red: Float32Array.from([0.1, 0.3, 0]) }, 3);
    expect(out[0]).toBeCloseTo(0.4 / 0.6, 6);
    expect(out[1]).toBe(0);
    expect(Number.isNaN(out[2])).toBe(true); // 0/0 is nodata, not NaN leaking as a colour
  });

  it('respects precedence, unary minus and power', () => {
    const one = (s: string) => evaluate(parseExpression(s, V), { nir: Float32Array.from([2]) }, 1)[0];
    expect(one('1+2*3')).toBe(7);
    expect(one('-nir^2')).toBe(-4);
    expect(one('2^3^2')).toBe(512);
    expect(one('max(nir, 5) - min(1, nir)')).toBe(4);
    expect(one('sqrt(abs(-16))')).toBe(4);
  });

  it('propagates NaN (nodata) and turns infinities into nodata', () => {
    const out = evaluate(parseExpression('nir/red', V), { nir: Float32Array.from([1, NaN]), red: Float32Array.from([0, 2]) }, 2);
    expect(Number.isNaN(out[0])).toBe(true);
    expect(Number.isNaN(out[1])).toBe(true);
  });

  it.each([
    ['nir+', 'unexpected "end of expression" at position 4'],
    ['nir ** red', 'unexpected "*" at position 5'],
    ['foo+1', 'unknown variable "foo" at position 0 (this scene has: nir, red, ndvi)'],
    ['process.exit(1)', 'unexpected character "." at position 7'],
    ['constructor(1)', 'unknown function "constructor" at position 0'],
    ['(nir', 'expected ")" at position 4, found "end of expression"'],
    ['max(nir)', 'function "max" takes 2 argument(s), got 1'],
    ['nir;red', 'unexpected character ";" at position 3'],
    ['', 'the expression is empty'],
  ])('refuses %j naming the offending token', (src, message) => {
    expect(() => parseExpression(src, V)).toThrowError(ExpressionError);
    expect(() => parseExpression(src, V)).toThrowError(message);
  });

  it('bounds length and size', () => {
    expect(() => parseExpression('nir+'.repeat(200) + 'nir', V)).toThrowError(/longer than 512|more than 256 terms/);
  });
});
