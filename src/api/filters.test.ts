import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BerthError } from '../core/errors.js';
import { parseFiltersParam } from './filters.js';

const invalid = (pattern: RegExp) => (err: unknown) =>
  err instanceof BerthError && err.kind === 'invalid-argument' && pattern.test(err.message);

describe('parseFiltersParam', () => {
  it('returns no filters for a missing or blank value', () => {
    assert.equal(parseFiltersParam(null).size, 0);
    assert.equal(parseFiltersParam('').size, 0);
    assert.equal(parseFiltersParam('  ').size, 0);
  });

  it('parses the map form', () => {
    const f = parseFiltersParam('{"type":{"container":true,"image":true},"event":{"start":true}}');
    assert.deepEqual(
      [...f],
      [
        ['type', ['container', 'image']],
        ['event', ['start']],
      ],
    );
  });

  it('parses the legacy array form', () => {
    const f = parseFiltersParam('{"label":["a=b","c"]}');
    assert.deepEqual(f.get('label'), ['a=b', 'c']);
  });

  it('drops values mapped to false', () => {
    const f = parseFiltersParam('{"type":{"container":false,"image":true}}');
    assert.deepEqual(f.get('type'), ['image']);
  });

  it('rejects malformed JSON as an invalid argument', () => {
    assert.throws(() => parseFiltersParam('{"type":'), invalid(/^invalid filters: /));
  });

  it('rejects a value that is not an object', () => {
    assert.throws(() => parseFiltersParam('["type"]'), invalid(/expected a JSON object/));
    assert.throws(() => parseFiltersParam('null'), invalid(/expected a JSON object/));
    assert.throws(() => parseFiltersParam('"x"'), invalid(/expected a JSON object/));
  });

  it('rejects non-object filter values, naming the key', () => {
    assert.throws(() => parseFiltersParam('{"type":"container"}'), invalid(/"type" must be/));
    assert.throws(() => parseFiltersParam('{"type":null}'), invalid(/"type" must be/));
    assert.throws(() => parseFiltersParam('{"type":3}'), invalid(/"type" must be/));
  });

  it('rejects non-string array items and non-boolean map values', () => {
    assert.throws(() => parseFiltersParam('{"label":[1]}'), invalid(/"label" must be strings/));
    assert.throws(
      () => parseFiltersParam('{"type":{"container":"yes"}}'),
      invalid(/"type" must map to booleans/),
    );
  });
});
