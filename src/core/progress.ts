/** One line of progress from a long job (load, import, pull, push, build): the API streams them. */
export interface Progress {
  /** What the line is about: a layer, a tag. */
  readonly id?: string;
  readonly status?: string;
  /** Free text for the user's terminal (ends in a newline). */
  readonly stream?: string;
  readonly current?: number;
  readonly total?: number;
  /** Machine-readable side data (e.g. the built image ID). */
  readonly aux?: Readonly<Record<string, unknown>>;
}
