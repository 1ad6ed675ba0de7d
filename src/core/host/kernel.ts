export interface KernelVersion {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
  readonly raw: string;
}

/** Parses `uname -r` text: "6.18.44-fc-v657", "5.10.0-26-amd64", "4.19". */
export function parseKernelVersion(raw: string): KernelVersion | undefined {
  const m = /^(\d+)\.(\d+)(?:\.(\d+))?/.exec(raw.trim());
  if (!m) return undefined;
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3] ?? 0), raw: raw.trim() };
}

export function kernelAtLeast(version: KernelVersion, major: number, minor: number): boolean {
  return version.major > major || (version.major === major && version.minor >= minor);
}

/** The oldest kernel berth starts on (namespaces, overlayfs with multiple lower dirs). */
export const MIN_KERNEL = { major: 4, minor: 0 } as const;

/** Why this host cannot run the daemon, or undefined when it can. */
export function hostRefusal(host: {
  platform: string;
  uid: number;
  kernel: string;
}): string | undefined {
  if (host.platform !== 'linux')
    return `berth daemon runs only on Linux (this is ${host.platform})`;
  if (host.uid !== 0)
    return 'berth daemon needs to be started as root (it manages mounts, namespaces and cgroups)';
  const kernel = parseKernelVersion(host.kernel);
  if (!kernel) return `cannot read the kernel version "${host.kernel}"`;
  if (!kernelAtLeast(kernel, MIN_KERNEL.major, MIN_KERNEL.minor)) {
    return `kernel ${kernel.raw} is too old: berth needs at least ${MIN_KERNEL.major}.${MIN_KERNEL.minor}`;
  }
  return undefined;
}

/** A kernel config option's value (`y`, `m`, a number), or undefined when it is not set. */
function configValue(config: string, name: string): string | undefined {
  return new RegExp(`^${name}=(.*)$`, 'm').exec(config)?.[1];
}

/**
 * Whether the kernel runs x32 system calls: built with the x32 ABI (CONFIG_X86_X32_ABI, before
 * 5.18 CONFIG_X86_X32) and, on Debian's kernels, not disabled unless `syscall.x32=y` is on the
 * command line. Undefined when the kernel's config is unknown.
 */
export function kernelRunsX32(config: string | undefined, cmdline: string): boolean | undefined {
  if (config === undefined) return undefined;
  const built =
    configValue(config, 'CONFIG_X86_X32_ABI') === 'y' ||
    configValue(config, 'CONFIG_X86_X32') === 'y';
  if (!built) return false;
  if (configValue(config, 'CONFIG_X86_X32_DISABLED') === 'y')
    return /(^|\s)syscall\.x32=(y|1|on)(\s|$)/.test(cmdline);
  return true;
}
