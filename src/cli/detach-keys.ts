// Detach keys, as the Docker CLI handles them on the client side: the sequence (ctrl-p ctrl-q
// unless --detach-keys says otherwise) is taken out of stdin and never reaches the container.

/** ctrl-p ctrl-q. */
export const DEFAULT_DETACH_KEYS: readonly number[] = [16, 17];

/** The control keys by name: `ctrl-@` is 0, `ctrl-a` 1, ... `ctrl-_` 31. */
const CONTROL_NAMES = [
  'ctrl-@',
  ...'abcdefghijklmnopqrstuvwxyz'.split('').map((c) => `ctrl-${c}`),
  'ctrl-[',
  'ctrl-\\',
  'ctrl-]',
  'ctrl-^',
  'ctrl-_',
];

export class DetachKeysError extends Error {
  override readonly name = 'DetachKeysError';
}

/**
 * Parses a --detach-keys value: comma-separated keys, each one character, `ctrl-<x>` or `DEL`
 * (the grammar of the Docker CLI, with its error message).
 */
export function parseDetachKeys(text: string): number[] {
  return text.split(',').map((key) => {
    if (key.length === 1) return key.charCodeAt(0);
    const control = CONTROL_NAMES.indexOf(key);
    if (control !== -1) return control;
    if (key === 'DEL') return 127;
    throw new DetachKeysError(`Unknown character: '${key}'`);
  });
}

/**
 * Watches stdin for the detach sequence. Bytes that may begin the sequence are held back until
 * the next byte decides: the whole sequence detaches (and is dropped), anything else releases
 * them unchanged, as the Docker CLI's escape proxy does.
 */
export class DetachKeyScanner {
  #matched = 0;

  constructor(private readonly keys: readonly number[]) {}

  /** What to forward from `chunk`; `detached` once the sequence is complete (the rest is dropped). */
  push(chunk: Uint8Array): { forward: Buffer; detached: boolean } {
    const out: number[] = [];
    for (const byte of chunk) {
      if (byte === this.keys[this.#matched]) {
        this.#matched++;
        if (this.#matched === this.keys.length) {
          this.#matched = 0;
          return { forward: Buffer.from(out), detached: true };
        }
        continue;
      }
      out.push(...this.keys.slice(0, this.#matched), byte);
      this.#matched = 0;
    }
    return { forward: Buffer.from(out), detached: false };
  }

  /** At the end of input: the held bytes, which were not a detach after all. */
  flush(): Buffer {
    const held = Buffer.from(this.keys.slice(0, this.#matched));
    this.#matched = 0;
    return held;
  }
}
