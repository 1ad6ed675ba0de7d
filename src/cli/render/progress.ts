import type { JsonMessage } from '../../types/docker/images.js';

/**
 * Renders a JSON message stream on a terminal as the Docker CLI does: one line per id, redrawn
 * in place (cursor up, clear line) as its status and progress bar change; other messages are
 * printed as they come.
 */
export class ProgressRenderer {
  readonly #lines: string[] = [];

  constructor(private readonly out: { write(text: string): unknown }) {}

  render(m: JsonMessage): void {
    if (m.aux) return;
    if (m.id === undefined) {
      if (m.stream !== undefined) this.out.write(m.stream);
      else if (m.status !== undefined) this.out.write(`${m.status}\n`);
      return;
    }
    const text = `${m.id}: ${m.status ?? ''}${m.progress ? ` ${m.progress}` : ''}`;
    const at = this.#lines.indexOf(m.id);
    if (at === -1) {
      this.#lines.push(m.id);
      this.out.write(`${text}\n`);
      return;
    }
    const up = this.#lines.length - at;
    this.out.write(`\x1b[${up}A\x1b[2K\r${text}\n${up > 1 ? `\x1b[${up - 1}B` : ''}`);
  }
}
