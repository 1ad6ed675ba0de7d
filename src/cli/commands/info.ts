import { flagString } from '../../lib/flags.js';
import type { InfoResponse } from '../../types/docker/system.js';
import type { Command } from '../command.js';
import { renderTemplate } from '../render/template.js';
import { bytesSize } from '../render/units.js';

/** The server half of `docker info`'s text, from the /info fields. */
export function formatInfo(i: InfoResponse): string {
  const out: string[] = ['Server:'];
  const line = (indent: number, text: string): void => {
    out.push(' '.repeat(indent) + text);
  };
  line(1, `Containers: ${i.Containers}`);
  line(2, `Running: ${i.ContainersRunning}`);
  line(2, `Paused: ${i.ContainersPaused}`);
  line(2, `Stopped: ${i.ContainersStopped}`);
  line(1, `Images: ${i.Images}`);
  line(1, `Server Version: ${i.ServerVersion}`);
  line(1, `Storage Driver: ${i.Driver}`);
  for (const [k, v] of i.DriverStatus) line(2, `${k}: ${v}`);
  line(1, `Logging Driver: ${i.LoggingDriver}`);
  line(1, `Cgroup Driver: ${i.CgroupDriver}`);
  line(1, `Cgroup Version: ${i.CgroupVersion}`);
  line(1, 'Plugins:');
  line(2, `Volume: ${i.Plugins.Volume.join(' ')}`);
  line(2, `Network: ${i.Plugins.Network.join(' ')}`);
  line(2, `Log: ${i.Plugins.Log.join(' ')}`);
  line(1, `Swarm: ${i.Swarm.LocalNodeState}`);
  line(1, `Runtimes: ${Object.keys(i.Runtimes).sort().join(' ')}`);
  line(1, `Default Runtime: ${i.DefaultRuntime}`);
  line(1, `Init Binary: ${i.InitBinary}`);
  line(1, `runc version: ${i.RuncCommit.ID}`);
  line(1, `init version: ${i.InitCommit.ID}`);
  if (i.SecurityOptions.length > 0) {
    line(1, 'Security Options:');
    for (const opt of i.SecurityOptions) {
      const fields = Object.fromEntries(
        opt.split(',').map((kv) => kv.split('=') as [string, string]),
      );
      line(2, fields['name'] ?? opt);
      for (const [k, v] of Object.entries(fields)) {
        if (k !== 'name') line(3, `${k[0]?.toUpperCase()}${k.slice(1)}: ${v}`);
      }
    }
  }
  line(1, `Kernel Version: ${i.KernelVersion}`);
  line(1, `Operating System: ${i.OperatingSystem}`);
  line(1, `OSType: ${i.OSType}`);
  line(1, `Architecture: ${i.Architecture}`);
  line(1, `CPUs: ${i.NCPU}`);
  line(1, `Total Memory: ${bytesSize(i.MemTotal)}`);
  line(1, `Name: ${i.Name}`);
  line(1, `ID: ${i.ID}`);
  line(1, `Berth Root Dir: ${i.DockerRootDir}`);
  line(1, `Debug Mode: ${i.Debug}`);
  if (i.Labels.length > 0) {
    line(1, 'Labels:');
    for (const l of i.Labels) line(2, l);
  }
  line(1, `Experimental: ${i.ExperimentalBuild}`);
  if (i.RegistryConfig.InsecureRegistryCIDRs.length > 0) {
    line(1, 'Insecure Registries:');
    for (const r of i.RegistryConfig.InsecureRegistryCIDRs) line(2, r);
  }
  if (i.RegistryConfig.Mirrors.length > 0) {
    line(1, 'Registry Mirrors:');
    for (const m of i.RegistryConfig.Mirrors) line(2, m);
  }
  line(1, `Live Restore Enabled: ${i.LiveRestoreEnabled}`);
  return out.join('\n') + '\n';
}

export const infoCommand: Command = {
  name: 'info',
  summary: 'Display system-wide information',
  usage: 'berth info [OPTIONS]',
  maxArgs: 0,
  flags: [
    { name: 'format', short: 'f', type: 'string', help: 'Format output using a custom template' },
  ],
  async run(ctx, flags) {
    const info = await ctx.client().info();
    const format = flagString(flags, 'format');
    if (format !== '') {
      ctx.stdout.write(renderTemplate(format, info) + '\n');
      return 0;
    }
    ctx.stdout.write(`Client:\n Version:    ${ctx.clientInfo.version}\n Context:    default\n\n`);
    ctx.stdout.write(formatInfo(info));
    if (info.Warnings && info.Warnings.length > 0)
      ctx.stderr.write('\n' + info.Warnings.join('\n') + '\n');
    return 0;
  },
};
