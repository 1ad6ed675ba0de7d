// How many arguments a command takes, and Docker's message when the count is wrong.

export interface Arity {
  readonly min: number;
  /** Absent: no upper bound. */
  readonly max?: number;
}

function count(n: number): string {
  return `${n} argument${n === 1 ? '' : 's'}`;
}

/** The Docker CLI's message (exit 1) when `given` arguments do not fit, else undefined. */
export function arityError(
  label: string,
  usage: string,
  arity: Arity,
  given: number,
): string | undefined {
  const { min, max } = arity;
  if (given >= min && (max === undefined || given <= max)) return undefined;
  const [what, verb] =
    max === undefined
      ? [`at least ${count(min)}`, 'See']
      : min === max
        ? [count(min), 'Run']
        : [`at least ${min} and at most ${count(max)}`, 'Run'];
  return `berth: 'berth ${label}' requires ${what}\n\nUsage:  ${usage}\n\n${verb} 'berth ${label} --help' for more information\n`;
}
