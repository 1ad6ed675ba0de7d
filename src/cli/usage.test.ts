import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { arityError } from './usage.js';

describe('arityError', () => {
  it('accepts counts within the bounds', () => {
    assert.equal(arityError('wait', 'berth wait CONTAINER', { min: 1 }, 3), undefined);
    assert.equal(arityError('port', 'u', { min: 1, max: 2 }, 2), undefined);
  });

  it('words the three cases as the Docker CLI does', () => {
    assert.equal(
      arityError('exec', 'berth exec [OPTIONS] CONTAINER COMMAND [ARG...]', { min: 2 }, 1),
      "berth: 'berth exec' requires at least 2 arguments\n\nUsage:  berth exec [OPTIONS] CONTAINER COMMAND [ARG...]\n\nSee 'berth exec --help' for more information\n",
    );
    assert.equal(
      arityError('attach', 'berth attach [OPTIONS] CONTAINER', { min: 1, max: 1 }, 0),
      "berth: 'berth attach' requires 1 argument\n\nUsage:  berth attach [OPTIONS] CONTAINER\n\nRun 'berth attach --help' for more information\n",
    );
    assert.match(
      arityError('port', 'u', { min: 1, max: 2 }, 3) ?? '',
      /^berth: 'berth port' requires at least 1 and at most 2 arguments\n/,
    );
    assert.match(arityError('wait', 'u', { min: 1 }, 0) ?? '', /requires at least 1 argument\n/);
  });
});
