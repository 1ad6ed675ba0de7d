import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { commandLine } from './to-docker.js';

describe('commandLine', () => {
  it("quotes the arguments with a space, as Docker's ps shows them", () => {
    assert.equal(commandLine({ path: 'sleep', args: ['1000'] }), 'sleep 1000');
    assert.equal(
      commandLine({ path: 'sh', args: ['-c', "echo 'a b'; exit 3"] }),
      "sh -c 'echo 'a b'; exit 3'",
    );
    assert.equal(commandLine({ path: 'echo', args: ['', 'a;b'] }), 'echo  a;b');
    assert.equal(commandLine({ path: 'true', args: [] }), 'true');
  });
});
