import { describe, expect, it, vi } from 'vitest';
import { defaultModelId, main } from '../../../models/train/cli.js';

describe('granary train arguments', () => {
  it('names the shipped models by their variables', () => {
    expect(defaultModelId(['ndvi', 'evi'])).toBe('granary-mlp-ndvi-evi');
    expect(defaultModelId(['ndvi', 'evi', 'blue', 'red', 'nir', 'mir'])).toBe('granary-mlp-6band');
    expect(defaultModelId(['ndvi'])).toBe('granary-mlp-ndvi');
  });

  it('refuses unknown options and variables with an exit code, without training', async () => {
    const err = vi.spyOn(console, 'error').mockImplementation(() => {});
    expect(await main(['--bogus'], () => {})).toBe(2);
    expect(await main(['--variables', 'ndvi,swir'], () => {})).toBe(1);
    expect(err.mock.calls.flat().join(' ')).toContain('unknown variable(s) swir');
    expect(await main(['--folds', '1'], () => {})).toBe(1);
    err.mockRestore();
  });
});
