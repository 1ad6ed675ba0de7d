// An exec (`docker exec`) as the engine keeps it: its settings and its state.

/** An exec's settings, as `POST /containers/{id}/exec` sends them. */
export interface ExecConfig {
  readonly cmd: readonly string[];
  readonly env: readonly string[];
  readonly user: string;
  readonly workingDir: string;
  readonly tty: boolean;
  readonly privileged: boolean;
  readonly attachStdin: boolean;
  readonly attachStdout: boolean;
  readonly attachStderr: boolean;
  readonly detachKeys: string;
}

export interface ExecState {
  readonly id: string;
  readonly containerId: string;
  readonly config: ExecConfig;
  readonly running: boolean;
  /** null until it has exited. */
  readonly exitCode: number | null;
  readonly pid: number;
}

export interface ExecStreams {
  readonly stdin?: NodeJS.ReadableStream;
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
}
