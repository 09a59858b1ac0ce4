/**
 * The subset of dockerode Slipway uses, declared structurally (so tests and readers see exactly
 * what the Docker backend depends on, and a dockerode upgrade that changes it fails to compile).
 */
import Dockerode from 'dockerode';
import { InputError } from '../../src/core/errors.js';
import { normalizedImageName } from '../../src/core/images.js';

/** A container's attachment to one network (`NetworkSettings.Networks[name]`). */
export interface DockerEndpoint {
  /** '' while the container is not running. */
  readonly IPAddress: string;
}

export interface DockerContainerSummary {
  readonly Id: string;
  readonly Names: readonly string[];
  readonly Labels: Readonly<Record<string, string>>;
  /** `created`, `running`, `exited`, `paused`, `restarting`, `removing`, `dead`. */
  readonly State: string;
  readonly NetworkSettings?: { readonly Networks?: Readonly<Record<string, DockerEndpoint>> | null } | null;
}

/** `GET /networks/{id}` (the fields Slipway reads). */
export interface DockerNetworkInspect {
  readonly Id: string;
  readonly Name: string;
  readonly Driver: string;
  readonly Labels?: Readonly<Record<string, string>> | null;
  readonly IPAM: { readonly Config?: ReadonlyArray<{ readonly Subnet?: string; readonly Gateway?: string }> | null };
  /** Attached containers by id. */
  readonly Containers?: Readonly<Record<string, unknown>> | null;
}

export interface DockerNetworkHandle {
  readonly id: string;
  inspect(): Promise<DockerNetworkInspect>;
  remove(): Promise<unknown>;
}

export interface DockerNetworkCreateOptions {
  Name: string;
  CheckDuplicate?: boolean;
  Driver: 'bridge';
  IPAM: { Driver: 'default'; Config: Array<{ Subnet: string }> };
  Labels: Record<string, string>;
}

export interface DockerInspect {
  readonly Id: string;
  readonly Name: string;
  readonly Config: { readonly Labels: Readonly<Record<string, string>> | null };
  readonly State: {
    readonly Status: string;
    readonly Running: boolean;
    readonly ExitCode: number;
    readonly OOMKilled: boolean;
    readonly StartedAt: string;
    readonly FinishedAt: string;
  };
  readonly NetworkSettings?: { readonly Networks?: Readonly<Record<string, DockerEndpoint>> | null } | null;
}

export interface DockerContainerHandle {
  readonly id: string;
  start(): Promise<unknown>;
  /** `t`: seconds before SIGKILL. Rejects with statusCode 304 when already stopped. */
  stop(options?: { t?: number }): Promise<unknown>;
  kill(options?: { signal?: string }): Promise<unknown>;
  /** `docker pause` / `docker unpause` (tests pause containers beside the control plane). */
  pause(): Promise<unknown>;
  unpause(): Promise<unknown>;
  remove(options?: { force?: boolean; v?: boolean }): Promise<unknown>;
  inspect(): Promise<DockerInspect>;
  /** The container's filesystem as a tar stream. */
  export(): Promise<NodeJS.ReadableStream>;
  /** Output so far (`follow: false`): the engine's multiplexed stream format for non-TTY containers (see `demuxLogs`). */
  logs(options: { stdout: boolean; stderr: boolean; follow: false; tail?: number }): Promise<Buffer>;
}

/**
 * Splits Docker's multiplexed log stream (8-byte frame headers: stream, 0, 0, 0, size big-endian)
 * into lines. A buffer that is not multiplexed (a TTY container) is taken as plain text.
 */
export function demuxLogs(buf: Buffer): string[] {
  let text = '';
  let i = 0;
  const framed = buf.length >= 8 && buf[0] <= 2 && buf[1] === 0 && buf[2] === 0 && buf[3] === 0;
  if (!framed) text = buf.toString('utf8');
  while (framed && i + 8 <= buf.length) {
    const size = buf.readUInt32BE(i + 4);
    text += buf.subarray(i + 8, i + 8 + size).toString('utf8');
    i += 8 + size;
  }
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

export interface DockerCreateOptions {
  name?: string;
  Image: string;
  Entrypoint?: string[];
  Cmd?: string[];
  Env?: string[];
  Labels?: Record<string, string>;
  ExposedPorts?: Record<string, object>;
  HostConfig?: {
    NanoCpus?: number;
    CpuShares?: number;
    Memory?: number;
    MemoryReservation?: number;
    RestartPolicy?: { Name: string };
    NetworkMode?: string;
    PortBindings?: Record<string, Array<{ HostPort: string }>>;
    AutoRemove?: boolean;
  };
}

export interface DockerInfo {
  readonly NCPU: number;
  readonly MemTotal: number;
  readonly Name: string;
  readonly ServerVersion: string;
}

/** `GET /images/json`: what the engine holds (kubelet reports these as node.status.images). */
export interface DockerImageSummary {
  readonly RepoTags?: readonly string[] | null;
  readonly RepoDigests?: readonly string[] | null;
  /** Bytes. */
  readonly Size: number;
}

/** What the Docker backend calls on an engine. */
export interface DockerApi {
  ping(): Promise<unknown>;
  info(): Promise<DockerInfo>;
  createContainer(options: DockerCreateOptions): Promise<DockerContainerHandle>;
  getContainer(id: string): DockerContainerHandle;
  listContainers(options: { all?: boolean; filters?: string }): Promise<DockerContainerSummary[]>;
  getEvents(options: { filters?: string }): Promise<NodeJS.ReadableStream>;
  pull(image: string): Promise<NodeJS.ReadableStream>;
  listImages(): Promise<DockerImageSummary[]>;
  createNetwork(options: DockerNetworkCreateOptions): Promise<DockerNetworkHandle>;
  getNetwork(id: string): DockerNetworkHandle;
  listNetworks(options: { filters?: string }): Promise<DockerNetworkInspect[]>;
  modem: { followProgress(stream: NodeJS.ReadableStream, onFinished: (err: Error | null) => void): void };
}

/**
 * Connects to an engine named like Docker's `-H`: `unix:///run/docker.sock`, `tcp://host:2375`,
 * or a bare socket path. `timeoutMs` bounds every API call.
 */
export function connectDocker(host: string, timeoutMs: number): DockerApi {
  let opts: Dockerode.DockerOptions;
  if (host.startsWith('unix://')) opts = { socketPath: host.slice('unix://'.length) };
  else if (host.startsWith('/')) opts = { socketPath: host };
  else if (host.startsWith('tcp://') || host.startsWith('http://') || host.startsWith('https://')) {
    const u = new URL(host.replace(/^tcp:/, 'http:'));
    opts = { host: u.hostname, port: u.port || '2375', protocol: u.protocol === 'https:' ? 'https' : 'http' };
  } else throw new InputError(`docker host ${JSON.stringify(host)}: expected unix:///path/to.sock or tcp://host:port`);
  // Events streams stay open: the per-call timeout applies to them too, so they get their own client.
  return new Dockerode({ ...opts, timeout: timeoutMs }) as unknown as DockerApi;
}

/** A second client to the same engine without a call timeout, for long-lived event streams. */
export function connectDockerStream(host: string): DockerApi {
  const api = connectDocker(host, 0) as unknown as { modem: { timeout?: number } };
  api.modem.timeout = undefined;
  return api as unknown as DockerApi;
}

/**
 * An engine's images as kubelet reports them (node.status.images): every tag and digest of an
 * image is a name with the image's size; Docker's `<none>` placeholders are left out. Keys are
 * normalized (`nginx` → `nginx:latest`), as ImageLocality looks them up.
 */
export function engineImages(list: readonly DockerImageSummary[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const img of list) {
    for (const name of [...(img.RepoTags ?? []), ...(img.RepoDigests ?? [])]) {
      if (name.startsWith('<none>')) continue;
      out.set(normalizedImageName(name), img.Size);
    }
  }
  return out;
}
