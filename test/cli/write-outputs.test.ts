/**
 * `writeOutputs`: the files of one command's output (compare, experiment, fuzz) are committed
 * together. Issue #19 items 1 and 8: a failure part-way (a full disk, a folder in the way) used to
 * leave the files written before it under their final names, beside the previous run's others.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { OutputError } from '../../src/core/errors.js';
import { writeOutputs } from '../../src/cli/output.js';

describe('writeOutputs', () => {
  it('writes every file whole, and leaves no temporary', () => {
    const dir = mkdtempSync(join(tmpdir(), 'slipway-outputs-'));
    writeOutputs([
      [join(dir, 'results.csv'), 'a,b\n1,2\n'],
      [join(dir, 'sub', 'report.html'), '<html></html>\n'],
    ]);
    expect(readdirSync(dir).sort()).toEqual(['results.csv', 'sub']);
    expect(readFileSync(join(dir, 'results.csv'), 'utf8')).toBe('a,b\n1,2\n');
    expect(readdirSync(join(dir, 'sub'))).toEqual(['report.html']);
  });

  it('a file that cannot be written leaves none under its final name: the old outputs stay as they were', () => {
    const dir = mkdtempSync(join(tmpdir(), 'slipway-outputs-'));
    writeFileSync(join(dir, 'results.csv'), 'old\n');
    mkdirSync(join(dir, 'report.html')); // a folder where the second file goes
    let error: unknown;
    try {
      writeOutputs([
        [join(dir, 'results.csv'), 'new\n'],
        [join(dir, 'report.html'), '<html></html>\n'],
      ]);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(OutputError);
    expect((error as Error).message).toBe(`cannot write ${join(dir, 'report.html')}: it is not a regular file (a directory)`);
    // Before: results.csv was already renamed into place ("new") when report.html failed.
    expect(readFileSync(join(dir, 'results.csv'), 'utf8')).toBe('old\n');
    expect(readdirSync(dir).sort()).toEqual(['report.html', 'results.csv']);
    expect(existsSync(join(dir, 'report.html', 'index.html'))).toBe(false);
  });
});
