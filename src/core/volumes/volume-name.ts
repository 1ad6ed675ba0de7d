// Names and options of local volumes, with Docker's rules and wording. A name becomes a
// directory under <data-root>/volumes, so the rules also keep it from leaving that directory.

/** The volume a `docker volume create` without a name, or a `-v /dest`, makes is labelled so. */
export const ANONYMOUS_LABEL = 'com.docker.volume.anonymous';

const NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

/** Why `name` is no local volume name; undefined when it is one. */
export function volumeNameProblem(name: string): string | undefined {
  if (name.length === 1)
    return 'volume name is too short, names should be at least two alphanumeric characters';
  if (!NAME.test(name))
    return `${JSON.stringify(name)} includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path`;
  return undefined;
}

/** What the local driver mounts on a volume's `_data` (`-o type=tmpfs -o device=tmpfs`). */
export interface LocalMountOptions {
  readonly type: string;
  readonly device: string;
  readonly o: string;
}

const VALID_OPTIONS = ['type', 'o', 'device', 'size'];
const REQUIRED: Record<string, string[]> = {
  device: ['type'],
  type: ['device'],
  o: ['device', 'type'],
};

/** Why the local driver refuses these options; undefined when it takes them. */
export function localOptionsProblem(options: Readonly<Record<string, string>>): string | undefined {
  for (const key of Object.keys(options).sort())
    if (!VALID_OPTIONS.includes(key)) return `invalid option: ${JSON.stringify(key)}`;
  if (options['size'] !== undefined) return 'quota size requested but no quota support';
  for (const key of Object.keys(REQUIRED).sort()) {
    if (options[key] === undefined) continue;
    for (const needed of REQUIRED[key] ?? [])
      if (options[needed] === undefined)
        return `missing required option: ${JSON.stringify(needed)}`;
  }
  return undefined;
}

/** The mount a volume's options ask for; undefined for a plain directory. */
export function localMount(
  options: Readonly<Record<string, string>>,
): LocalMountOptions | undefined {
  const type = options['type'] ?? '';
  const device = options['device'] ?? '';
  if (type === '' && device === '') return undefined;
  return { type, device, o: options['o'] ?? '' };
}
