import { flagString } from '../../lib/flags.js';
import type { VersionResponse } from '../../types/docker/system.js';
import type { Command } from '../command.js';
import { ApiError, ConnectionError } from '../../client/client.js';
import { renderTemplate } from '../render/template.js';
import { alignKeys } from '../render/units.js';
import { goArch } from '../../lib/arch.js';
import os from 'node:os';

/** Go's time.ANSIC layout ("Mon Jan _2 15:04:05 2006"), in UTC. */
function ansic(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const day = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'][d.getUTCDay()];
  const month = [
    'Jan',
    'Feb',
    'Mar',
    'Apr',
    'May',
    'Jun',
    'Jul',
    'Aug',
    'Sep',
    'Oct',
    'Nov',
    'Dec',
  ][d.getUTCMonth()];
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${day} ${month} ${String(d.getUTCDate()).padStart(2, ' ')} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} ${d.getUTCFullYear()}`;
}

export const versionCommand: Command = {
  name: 'version',
  summary: 'Show the berth version information',
  usage: 'berth version [OPTIONS]',
  maxArgs: 0,
  flags: [
    { name: 'format', short: 'f', type: 'string', help: 'Format output using a custom template' },
  ],
  async run(ctx, flags) {
    const info = ctx.clientInfo;
    const client = {
      Platform: { Name: 'berth' },
      Version: info.version,
      ApiVersion: info.apiVersion,
      DefaultAPIVersion: info.apiVersion,
      GoVersion: `node${process.version.replace(/^v/, '')}`,
      GitCommit: info.gitCommit,
      BuildTime: info.buildTime,
      Os: 'linux',
      Arch: goArch(os.machine()),
      Context: 'default',
    };
    let server: VersionResponse | undefined;
    let serverError: Error | undefined;
    try {
      const api = ctx.client();
      server = await api.version();
      client.ApiVersion = await api.apiVersion();
    } catch (err) {
      if (!(err instanceof ApiError || err instanceof ConnectionError)) throw err;
      serverError = err;
    }
    const format = flagString(flags, 'format');
    if (format !== '') {
      ctx.stdout.write(renderTemplate(format, { Client: client, Server: server ?? null }) + '\n');
    } else {
      const lines = [
        `Client: ${client.Platform.Name}`,
        alignKeys([
          [' Version:', client.Version],
          [' API version:', client.ApiVersion],
          [' Node version:', process.version],
          [' Git commit:', client.GitCommit],
          [' Built:', ansic(client.BuildTime)],
          [' OS/Arch:', `${client.Os}/${client.Arch}`],
          [' Context:', client.Context],
        ]),
      ];
      if (server) {
        lines.push('', `Server: ${server.Platform.Name}`);
        for (const c of server.Components) {
          lines.push(` ${c.Name}:`);
          const d = c.Details ?? {};
          if (c.Name === 'Engine') {
            lines.push(
              alignKeys([
                ['  Version:', c.Version],
                [
                  '  API version:',
                  `${d['ApiVersion'] ?? ''} (minimum version ${d['MinAPIVersion'] ?? ''})`,
                ],
                ['  Node version:', (d['GoVersion'] ?? '').replace(/^node/, 'v')],
                ['  Git commit:', d['GitCommit'] ?? ''],
                ['  Built:', ansic(d['BuildTime'] ?? '')],
                ['  OS/Arch:', `${d['Os'] ?? ''}/${d['Arch'] ?? ''}`],
                ['  Experimental:', d['Experimental'] ?? 'false'],
              ]),
            );
          } else {
            lines.push(
              alignKeys([
                ['  Version:', c.Version],
                ...Object.entries(d).map(([k, v]) => [`  ${k}:`, v] as [string, string]),
              ]),
            );
          }
        }
      }
      ctx.stdout.write(lines.join('\n') + '\n');
    }
    if (serverError) {
      ctx.stderr.write(
        serverError instanceof ApiError
          ? `Error response from daemon: ${serverError.message}\n`
          : `${serverError.message}\n`,
      );
      return 1;
    }
    return 0;
  },
};
