const GO_ARCH: Record<string, string> = {
  x86_64: 'amd64',
  aarch64: 'arm64',
  armv7l: 'arm',
  i686: '386',
  ppc64le: 'ppc64le',
  s390x: 's390x',
  riscv64: 'riscv64',
};

/** `uname -m` in Go's GOARCH naming (x86_64 → amd64), as the Engine API reports it. */
export function goArch(machine: string): string {
  return GO_ARCH[machine] ?? machine;
}
