import type { ContainerRecord, CreateRequest } from '../../../core/containers/container.js';
import type { ContainerDefaults } from '../../../core/images/image-config.js';
import { invalidArgument } from '../../../core/errors.js';
import { isDeviceMode } from '../../../core/runtime/host-devices.js';
import { normalizeCapabilities } from '../../../core/runtime/capabilities.js';
import { checkMemoryLimits, checkOtherLimits } from '../../../core/host/resource-limits.js';
import { loadSeccompProfile } from '../../../core/runtime/seccomp.js';
import { parseSignal } from '../../../core/runtime/signal-name.js';
import { validateHealthcheck } from '../../../core/containers/health.js';
import type {
  ContainerCreateResponse,
  ContainerSummary,
  ContainersPruneResponse,
} from '../../../types/docker/containers.js';
import {
  asObject,
  optBool,
  optNumber,
  optSet,
  optString,
  optStringMap,
  optStrings,
  type JsonObject,
} from '../../decode.js';
import { parseFiltersParam } from '../../filters.js';
import { queryBool, readJsonBody, sendJson, sendNoContent } from '../../http.js';
import type { Route } from '../../route.js';
import type { ContainersBackend } from './backend.js';
import { toContainerInspect, toContainerSummary } from './to-docker.js';
import { decodeNetworkSettings } from './network-decode.js';

/** The Config fields of a request body (create's, commit's): `path` names them in errors. */
export function decodeContainerConfig(root: JsonObject, path: string): ContainerDefaults {
  return {
    Hostname: optString(root, 'Hostname', path),
    Domainname: optString(root, 'Domainname', path),
    User: optString(root, 'User', path),
    AttachStdin: optBool(root, 'AttachStdin', path),
    AttachStdout: optBool(root, 'AttachStdout', path),
    AttachStderr: optBool(root, 'AttachStderr', path),
    ExposedPorts: optSet(root, 'ExposedPorts', path),
    Tty: optBool(root, 'Tty', path),
    OpenStdin: optBool(root, 'OpenStdin', path),
    StdinOnce: optBool(root, 'StdinOnce', path),
    Env: optStrings(root, 'Env', path),
    Cmd: optStrings(root, 'Cmd', path),
    Volumes: optSet(root, 'Volumes', path),
    WorkingDir: optString(root, 'WorkingDir', path),
    Entrypoint: optStrings(root, 'Entrypoint', path),
    Labels: optStringMap(root, 'Labels', path),
    StopSignal: optString(root, 'StopSignal', path),
    StopTimeout: optNumber(root, 'StopTimeout', path),
    ...healthcheckOf(root, path),
  };
}

function healthcheckOf(root: JsonObject, path: string): { Healthcheck?: JsonObject } {
  const h = asObject(root['Healthcheck'], `${path}.Healthcheck`);
  if (!h) return {};
  validateHealthcheck(h);
  return { Healthcheck: h };
}

/** PidMode, IpcMode, UTSMode and CgroupnsMode, checked as Docker checks them at create. */
function namespaceModes(
  hostConfig: JsonObject,
  config: ContainerDefaults,
): { pidMode: string; ipcMode: string; utsMode: string; cgroupnsMode: string } {
  const pidMode = optString(hostConfig, 'PidMode', 'HostConfig') ?? '';
  const ipcMode = optString(hostConfig, 'IpcMode', 'HostConfig') ?? '';
  const utsMode = optString(hostConfig, 'UTSMode', 'HostConfig') ?? '';
  const cgroupnsMode = optString(hostConfig, 'CgroupnsMode', 'HostConfig') ?? '';
  if (!/^(|host|container:.+)$/.test(pidMode))
    throw invalidArgument(`invalid PID mode: ${pidMode}`);
  if (!/^(|none|private|shareable|host|container:.+)$/.test(ipcMode))
    throw invalidArgument(`invalid IPC mode: ${ipcMode}`);
  if (ipcMode.startsWith('container:'))
    throw invalidArgument(
      `IPC mode ${ipcMode} is not supported by berth yet: containers cannot share /dev/shm`,
    );
  if (!/^(|host)$/.test(utsMode)) throw invalidArgument(`invalid UTS mode: ${utsMode}`);
  if (utsMode === 'host' && config.Hostname)
    throw invalidArgument('Conflicting options: hostname and the UTS mode');
  if (!/^(|host|private)$/.test(cgroupnsMode))
    throw invalidArgument(`invalid cgroup namespace mode: ${cgroupnsMode}`);
  return { pidMode, ipcMode, utsMode, cgroupnsMode };
}

/** CapAdd or CapDrop as given, once every name is known (Docker refuses others at create). */
function checkedCapabilities(names: string[] | undefined, field: string): string[] {
  try {
    normalizeCapabilities(names ?? []);
  } catch (err) {
    throw invalidArgument(`invalid ${field}: ${(err as Error).message}`);
  }
  return names ?? [];
}

/** Decodes the create body: a field of the wrong type is a 400 naming it. */
export function decodeCreateRequest(body: unknown, name: string | null): CreateRequest {
  const root = asObject(body, 'body');
  if (!root) throw invalidArgument('config cannot be empty in order to create a container');
  const image = optString(root, 'Image', 'Config');
  if (!image) throw invalidArgument('Config.Image is required');
  const config = decodeContainerConfig(root, 'Config');
  if (config['StopSignal']) parseSignal(config['StopSignal'] as string);
  const hostConfig: JsonObject = asObject(root['HostConfig'], 'HostConfig') ?? {};
  const restart = asObject(hostConfig['RestartPolicy'], 'HostConfig.RestartPolicy');
  const restartName = optString(restart, 'Name', 'HostConfig.RestartPolicy') || 'no';
  if (!['no', 'always', 'on-failure', 'unless-stopped'].includes(restartName)) {
    throw invalidArgument(`invalid restart policy '${restartName}'`);
  }
  const maxRetries = optNumber(restart, 'MaximumRetryCount', 'HostConfig.RestartPolicy') ?? 0;
  if (maxRetries < 0)
    throw invalidArgument('invalid restart policy: maximum retry count cannot be negative');
  if (maxRetries > 0 && restartName !== 'on-failure')
    throw invalidArgument(
      "invalid restart policy: maximum retry count can only be used with 'on-failure'",
    );
  if (restartName !== 'no' && optBool(hostConfig, 'AutoRemove', 'HostConfig'))
    throw invalidArgument("can't create 'AutoRemove' container with restart policy");
  const securityOpt = optStrings(hostConfig, 'SecurityOpt', 'HostConfig') ?? [];
  let seccompProfile: string | undefined;
  for (const opt of securityOpt) {
    // The Docker CLI sends a --security-opt seccomp=<file> as the file's JSON.
    const profile = /^seccomp[=:](\{.*)$/s.exec(opt)?.[1];
    if (profile !== undefined) {
      loadSeccompProfile(profile); // refused now rather than at start
      seccompProfile = profile;
      continue;
    }
    if (
      !/^(no-new-privileges(:true|=true|:false|=false)?|seccomp[=:](unconfined|builtin)|label[=:].*|apparmor[=:].*)$/.test(
        opt,
      )
    ) {
      throw invalidArgument(`invalid --security-opt: "${opt}"`);
    }
  }
  const oomScoreAdj = optNumber(hostConfig, 'OomScoreAdj', 'HostConfig') ?? 0;
  if (!Number.isInteger(oomScoreAdj) || oomScoreAdj < -1000 || oomScoreAdj > 1000) {
    throw invalidArgument(`Invalid value ${oomScoreAdj}, range for oom score adj is [-1000, 1000]`);
  }
  const devicesRaw = hostConfig['Devices'];
  if (devicesRaw !== undefined && devicesRaw !== null && !Array.isArray(devicesRaw)) {
    throw invalidArgument('invalid JSON: field HostConfig.Devices must be an array');
  }
  const devices = ((devicesRaw as unknown[] | null | undefined) ?? []).map((raw, i) => {
    const path = `HostConfig.Devices[${i}]`;
    const o = asObject(raw, path) ?? {};
    const pathOnHost = optString(o, 'PathOnHost', path) ?? '';
    const pathInContainer = optString(o, 'PathInContainer', path) || pathOnHost;
    const cgroupPermissions = optString(o, 'CgroupPermissions', path) || 'rwm';
    if (!pathOnHost) throw invalidArgument(`${path}: PathOnHost is required`);
    if (!isDeviceMode(cgroupPermissions))
      throw invalidArgument(`invalid device mode: ${cgroupPermissions}`);
    if (!pathInContainer.startsWith('/'))
      throw invalidArgument(`invalid device path in container: ${pathInContainer}`);
    return { pathOnHost, pathInContainer, cgroupPermissions };
  });
  const ulimitsRaw = hostConfig['Ulimits'];
  if (ulimitsRaw !== undefined && ulimitsRaw !== null && !Array.isArray(ulimitsRaw)) {
    throw invalidArgument('invalid JSON: field HostConfig.Ulimits must be an array');
  }
  const ulimits = ((ulimitsRaw as unknown[] | null | undefined) ?? []).map((u, i) => {
    const o = asObject(u, `HostConfig.Ulimits[${i}]`) ?? {};
    return {
      name: optString(o, 'Name', `HostConfig.Ulimits[${i}]`) ?? '',
      soft: optNumber(o, 'Soft', `HostConfig.Ulimits[${i}]`) ?? 0,
      hard: optNumber(o, 'Hard', `HostConfig.Ulimits[${i}]`) ?? 0,
    };
  });
  const consoleRaw = hostConfig['ConsoleSize'];
  let consoleSize: [number, number] | undefined;
  if (consoleRaw !== undefined && consoleRaw !== null) {
    if (
      !Array.isArray(consoleRaw) ||
      consoleRaw.length !== 2 ||
      !consoleRaw.every((n) => Number.isInteger(n) && (n as number) >= 0 && (n as number) < 65536)
    )
      throw invalidArgument('invalid JSON: field HostConfig.ConsoleSize must be [height, width]');
    consoleSize = [consoleRaw[0] as number, consoleRaw[1] as number];
  }
  const logConfig = asObject(hostConfig['LogConfig'], 'HostConfig.LogConfig');
  const memory = optNumber(hostConfig, 'Memory', 'HostConfig') ?? 0;
  const memorySwap = optNumber(hostConfig, 'MemorySwap', 'HostConfig') ?? 0;
  checkMemoryLimits({ memory, memorySwap }, { update: false });
  const swappiness = hostConfig['MemorySwappiness'];
  const more = {
    memoryReservation: optNumber(hostConfig, 'MemoryReservation', 'HostConfig') || undefined,
    // -1 (and null): the kernel's default.
    memorySwappiness:
      swappiness === null || swappiness === -1
        ? undefined
        : optNumber(hostConfig, 'MemorySwappiness', 'HostConfig'),
    oomKillDisable: optBool(hostConfig, 'OomKillDisable', 'HostConfig') || undefined,
    cpuQuota: optNumber(hostConfig, 'CpuQuota', 'HostConfig') || undefined,
    cpuPeriod: optNumber(hostConfig, 'CpuPeriod', 'HostConfig') || undefined,
    cpusetMems: optString(hostConfig, 'CpusetMems', 'HostConfig') || undefined,
    blkioWeight: optNumber(hostConfig, 'BlkioWeight', 'HostConfig') || undefined,
  };
  checkOtherLimits({
    memory,
    ...more,
    nanoCpus: optNumber(hostConfig, 'NanoCpus', 'HostConfig'),
  });
  return {
    name: name ?? undefined,
    image,
    config,
    host: {
      autoRemove: optBool(hostConfig, 'AutoRemove', 'HostConfig') ?? false,
      networkMode: optString(hostConfig, 'NetworkMode', 'HostConfig') || 'default',
      restartPolicy: {
        name: restartName,
        maximumRetryCount: maxRetries,
      },
      privileged: optBool(hostConfig, 'Privileged', 'HostConfig') ?? false,
      readonlyRootfs: optBool(hostConfig, 'ReadonlyRootfs', 'HostConfig') ?? false,
      capAdd: checkedCapabilities(optStrings(hostConfig, 'CapAdd', 'HostConfig'), 'CapAdd'),
      capDrop: checkedCapabilities(optStrings(hostConfig, 'CapDrop', 'HostConfig'), 'CapDrop'),
      noNewPrivileges: securityOpt.some((o) => /^no-new-privileges(:true|=true)?$/.test(o)),
      seccompUnconfined: securityOpt.some((o) => /^seccomp[=:]unconfined$/.test(o)),
      ...(seccompProfile !== undefined ? { seccompProfile } : {}),
      groupAdd: optStrings(hostConfig, 'GroupAdd', 'HostConfig') ?? [],
      tmpfs: optStringMap(hostConfig, 'Tmpfs', 'HostConfig') ?? {},
      binds: optStrings(hostConfig, 'Binds', 'HostConfig') ?? [],
      mounts: mountsOf(hostConfig),
      volumesFrom: optStrings(hostConfig, 'VolumesFrom', 'HostConfig') ?? [],
      ulimits,
      sysctls: optStringMap(hostConfig, 'Sysctls', 'HostConfig') ?? {},
      shmSize: optNumber(hostConfig, 'ShmSize', 'HostConfig') || undefined,
      ...(oomScoreAdj !== 0 ? { oomScoreAdj } : {}),
      ...(devices.length > 0 ? { devices } : {}),
      init: optBool(hostConfig, 'Init', 'HostConfig') ?? false,
      ...namespaceModes(hostConfig, config),
      ...(consoleSize ? { consoleSize } : {}),
      ...(logConfig
        ? {
            logConfig: {
              type: optString(logConfig, 'Type', 'HostConfig.LogConfig') ?? '',
              config: optStringMap(logConfig, 'Config', 'HostConfig.LogConfig') ?? {},
            },
          }
        : {}),
      ...decodeNetworkSettings(hostConfig, root),
      resources: {
        memory: memory || undefined,
        memorySwap: memorySwap || undefined,
        cpuShares: optNumber(hostConfig, 'CpuShares', 'HostConfig') || undefined,
        nanoCpus: optNumber(hostConfig, 'NanoCpus', 'HostConfig') || undefined,
        cpusetCpus: optString(hostConfig, 'CpusetCpus', 'HostConfig') || undefined,
        pidsLimit: optNumber(hostConfig, 'PidsLimit', 'HostConfig') || undefined,
        ...Object.fromEntries(Object.entries(more).filter(([, v]) => v !== undefined)),
      },
    },
    hostConfigDocument: hostConfig,
  };
}

/** HostConfig.Mounts: an array of objects (each checked by the volume service). */
function mountsOf(hostConfig: JsonObject): unknown[] {
  const raw = hostConfig['Mounts'];
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw))
    throw invalidArgument('invalid JSON: field HostConfig.Mounts must be an array');
  return raw as unknown[];
}

export function containerRoutes(containers: ContainersBackend): Route[] {
  const view = {
    driverName: containers.driverName,
    containerRoot: containers.containerRoot,
    execIds: (id: string) => containers.execIds?.(id) ?? [],
    graphDriverData: (c: ContainerRecord) => containers.graphDriverData?.(c) ?? null,
    mounts: (id: string) => containers.mountsOf?.(id) ?? [],
    network: (c: ContainerRecord) => containers.network?.(c),
  };
  return [
    {
      methods: ['POST'],
      path: '/containers/create',
      job: 'containers.create',
      handle: async ({ req, res, query }) => {
        const request = decodeCreateRequest(await readJsonBody(req), query.get('name'));
        const created = await containers.create(request);
        const body: ContainerCreateResponse = { Id: created.id, Warnings: created.warnings };
        sendJson(res, 201, body);
      },
    },
    {
      methods: ['GET'],
      path: '/containers/json',
      job: 'containers.list',
      handle: async ({ res, query }) => {
        const parsed = Number.parseInt(query.get('limit') ?? '', 10);
        const limit = Number.isNaN(parsed) ? -1 : parsed;
        const filters = parseFiltersParam(query.get('filters'));
        // publish/expose look at the summary's Ports, so the limit comes after them.
        const ports = portsFilter(filters.get('publish'), filters.get('expose'));
        const records = containers.list({
          // -n and -l take containers in every state, as in Docker.
          all: queryBool(query, 'all') || limit > 0,
          limit: ports ? -1 : limit,
          filters,
        });
        const summaries = records
          .map((c) => toContainerSummary(c, { ...view, network: containers.network?.(c) }))
          .filter((s) => !ports || ports(s.Ports));
        const listed = ports && limit > 0 ? summaries.slice(0, limit) : summaries;
        if (queryBool(query, 'size')) await addSizes(containers, records, listed);
        sendJson(res, 200, listed);
      },
    },
    {
      methods: ['GET'],
      path: '/containers/:id/json',
      job: 'containers.inspect',
      handle: async ({ res, params, query }) => {
        const c = containers.resolve(params['id'] ?? '');
        const sizes =
          queryBool(query, 'size') && containers.sizes ? await containers.sizes(c) : undefined;
        sendJson(res, 200, toContainerInspect(c, { ...view, sizes }));
      },
    },
    {
      methods: ['POST'],
      path: '/containers/:id/rename',
      job: 'containers.rename',
      handle: async ({ res, params, query }) => {
        const name = query.get('name');
        if (!name) throw invalidArgument('name is required');
        containers.rename(params['id'] ?? '', name);
        sendNoContent(res);
      },
    },
    {
      methods: ['DELETE'],
      path: '/containers/:id',
      job: 'containers.remove',
      handle: async ({ res, params, query }) => {
        await containers.remove(params['id'] ?? '', {
          force: queryBool(query, 'force'),
          volumes: queryBool(query, 'v'),
        });
        sendNoContent(res);
      },
    },
    {
      methods: ['POST'],
      path: '/containers/prune',
      job: 'containers.prune',
      handle: async ({ res, query }) => {
        const { deleted, spaceReclaimed } = await containers.prune(
          parseFiltersParam(query.get('filters')),
        );
        const body: ContainersPruneResponse = {
          ContainersDeleted: deleted.length > 0 ? deleted : null,
          SpaceReclaimed: spaceReclaimed,
        };
        sendJson(res, 200, body);
      },
    },
  ];
}

/** ps -s and system df: each summary's SizeRw and SizeRootFs, left out when 0 (as Docker). */
export async function addSizes(
  containers: Pick<ContainersBackend, 'sizes'>,
  records: readonly ContainerRecord[],
  summaries: ContainerSummary[],
): Promise<void> {
  if (!containers.sizes) return;
  const byId = new Map(records.map((c) => [c.id, c]));
  await Promise.all(
    summaries.map(async (s) => {
      const c = byId.get(s.Id);
      const sizes = c ? await containers.sizes?.(c) : undefined;
      if (sizes?.rw) s.SizeRw = sizes.rw;
      if (sizes?.rootFs) s.SizeRootFs = sizes.rootFs;
    }),
  );
}

/**
 * The publish/expose filters of ps, as Docker applies them to a summary's Ports: publish to
 * the host port, expose to the container port; `80` is `80/tcp`, a range `8000-8080/tcp`
 * stands for each of its ports. Undefined without such filters.
 */
function portsFilter(
  publish: readonly string[] | undefined,
  expose: readonly string[] | undefined,
):
  | ((ports: readonly { PrivatePort: number; PublicPort?: number; Type: string }[]) => boolean)
  | undefined {
  if (!publish?.length && !expose?.length) return undefined;
  const parse = (
    values: readonly string[] | undefined,
  ): { from: number; to: number; type: string }[] =>
    (values ?? []).map((v) => {
      const m = /^(\d+)(?:-(\d+))?(?:\/(tcp|udp|sctp))?$/.exec(v);
      if (!m) throw invalidArgument(`invalid port filter: ${v}`);
      return { from: Number(m[1]), to: Number(m[2] ?? m[1]), type: m[3] ?? 'tcp' };
    });
  const pub = parse(publish);
  const exp = parse(expose);
  const hit = (
    list: { from: number; to: number; type: string }[],
    port: number | undefined,
    type: string,
  ): boolean =>
    port !== undefined && list.some((w) => w.type === type && port >= w.from && port <= w.to);
  return (ports) =>
    ports.some((p) => hit(pub, p.PublicPort, p.Type) || hit(exp, p.PrivatePort, p.Type));
}
