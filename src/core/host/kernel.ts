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
