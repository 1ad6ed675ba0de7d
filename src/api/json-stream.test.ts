import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { progressBar, toJsonMessage } from './json-stream.js';

describe('JSON message streams', () => {
  it('draws the progress bar as Docker does', () => {
    assert.equal(progressBar(50, 100), `[${'='.repeat(25)}>${' '.repeat(25)}]      50B/100B`);
    assert.equal(progressBar(180, 180), `[${'='.repeat(50)}>]     180B/180B`);
    assert.equal(progressBar(32768, 308736), `[=====>${' '.repeat(45)}]  32.77kB/308.7kB`);
  });

  it('maps progress to jsonmessage fields', () => {
    assert.deepEqual(toJsonMessage({ stream: 'Loaded image: x\n' }), {
      stream: 'Loaded image: x\n',
    });
    assert.deepEqual(toJsonMessage({ id: 'abc', status: 'Already exists' }), {
      status: 'Already exists',
      progressDetail: {},
      id: 'abc',
    });
    const m = toJsonMessage({ id: 'abc', status: 'Loading layer', current: 1, total: 2 });
    assert.deepEqual(m.progressDetail, { current: 1, total: 2 });
    assert.match(m.progress ?? '', /^\[/);
  });
});
