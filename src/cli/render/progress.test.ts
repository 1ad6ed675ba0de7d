import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ProgressRenderer } from './progress.js';

describe('ProgressRenderer', () => {
  it('prints a line per id and redraws it in place', () => {
    let out = '';
    const r = new ProgressRenderer({ write: (t: string) => (out += t) });
    r.render({ id: 'aaa', status: 'Loading layer', progress: '[>   ] 1B/4B' });
    r.render({ id: 'bbb', status: 'Loading layer' });
    r.render({ id: 'aaa', status: 'Loading layer', progress: '[===>] 4B/4B' });
    r.render({ stream: 'Loaded image: x:1\n' });
    r.render({ aux: { ID: 'ignored' } });
    assert.equal(
      out,
      'aaa: Loading layer [>   ] 1B/4B\nbbb: Loading layer\n\x1b[2A\x1b[2K\raaa: Loading layer [===>] 4B/4B\n\x1b[1BLoaded image: x:1\n',
    );
  });
});
