/**
 * A client of the Serf agent's RPC protocol (https://github.com/hashicorp/serf/blob/master/website/source/docs/agent/rpc.html.markdown):
 * MessagePack over one TCP connection. Each request is a header `{Command, Seq}` followed by a
 * body when the command takes one; each response is a header `{Seq, Error}` followed by a body
 * when the command returns one. `stream` and `monitor` answer with a bodiless header (the
 * acknowledgement) and then one header + body per event or log line, tagged with the request's Seq.
 *
 * Why RPC rather than `serf members -format json` or an event-handler script: one connection
 * gives the full member list and then every membership change the moment the agent learns it
 * (no polling interval added to detection times, no process per event), and `monitor` carries
 * memberlist's own log lines, the only place a suspicion is visible (Serf's member statuses are
 * alive, leaving, left and failed: memberlist's suspect state is not exported).
 */
import { Socket } from 'node:net';
import { Encoder, decodeMultiStream } from '@msgpack/msgpack';

/** A member as the agent reports it. */
export interface SerfMember {
  readonly name: string;
  /** IP address (dotted or IPv6 text). */
  readonly addr: string;
  readonly port: number;
  readonly tags: Readonly<Record<string, string>>;
  /** alive | leaving | left | failed | none */
  readonly status: string;
}

export interface SerfMemberEvent {
  /** member-join | member-leave | member-failed | member-update | member-reap */
  readonly event: string;
  readonly members: readonly SerfMember[];
}

interface Pending {
  /** How many more bodies this Seq expects before it is done (stream/monitor: unbounded). */
  readonly kind: 'header' | 'body' | 'stream';
  resolve(value: unknown): void;
  reject(error: Error): void;
  /** stream/monitor: the acknowledgement has been read, each later header has a body. */
  acked?: boolean;
  onRecord?: (body: Record<string, unknown>) => void;
}

function ipText(addr: unknown): string {
  if (typeof addr === 'string') return addr;
  if (addr instanceof Uint8Array) {
    // Go's net.IP: 16 bytes (IPv4-mapped ::ffff:a.b.c.d) or 4 bytes.
    const v4 = addr.length === 4 ? addr : addr.length === 16 && addr.slice(0, 10).every((b) => b === 0) && addr[10] === 0xff && addr[11] === 0xff ? addr.slice(12) : undefined;
    if (v4) return [...v4].join('.');
    const parts: string[] = [];
    for (let i = 0; i + 1 < addr.length; i += 2) parts.push(((addr[i]! << 8) | addr[i + 1]!).toString(16));
    return parts.join(':');
  }
  return String(addr);
}

function member(m: Record<string, unknown>): SerfMember {
  const tags: Record<string, string> = {};
  for (const [k, v] of Object.entries((m['Tags'] as Record<string, unknown> | undefined) ?? {})) tags[k] = String(v);
  return { name: String(m['Name']), addr: ipText(m['Addr']), port: Number(m['Port']), tags, status: String(m['Status']) };
}

/** A connection to one Serf agent's RPC address (`host:port`). */
export class SerfRpc {
  private readonly socket = new Socket();
  private readonly encoder = new Encoder();
  private readonly pending = new Map<number, Pending>();
  private seq = 0;
  /** The header whose body is the next object read. */
  private awaitingBody: { seq: number; error: string } | undefined;
  private closed = false;
  private failure: Error | undefined;
  private readonly closeListeners: Array<(error: Error | undefined) => void> = [];

  private constructor(readonly address: string) {}

  /** Connects and performs the handshake; rejects with one line when the agent cannot be reached. */
  static async connect(address: string, timeoutMs = 5_000): Promise<SerfRpc> {
    const c = new SerfRpc(address);
    const i = address.lastIndexOf(':');
    const host = address.slice(0, i);
    const port = Number(address.slice(i + 1));
    if (i <= 0 || !Number.isInteger(port) || port <= 0 || port > 65_535) throw new Error(`serf rpc address ${JSON.stringify(address)} is not HOST:PORT`);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        c.socket.destroy();
        reject(new Error(`serf agent at ${address} did not answer within ${timeoutMs} ms`));
      }, timeoutMs);
      c.socket.once('error', (e) => {
        clearTimeout(timer);
        reject(new Error(`serf agent at ${address}: ${e.message}`));
      });
      c.socket.connect(port, host, () => {
        clearTimeout(timer);
        resolve();
      });
    });
    c.socket.on('error', (e) => c.fail(new Error(`serf agent at ${address}: ${e.message}`)));
    c.socket.on('close', () => c.fail(undefined));
    void c.readLoop();
    await c.request('handshake', { Version: 1 }, 'header');
    return c;
  }

  /** Every member the agent knows, with its status. */
  async members(): Promise<SerfMember[]> {
    const body = (await this.request('members', undefined, 'body')) as { Members?: Array<Record<string, unknown>> };
    return (body.Members ?? []).map(member);
  }

  /**
   * Streams membership events (`types`, e.g. `member-join,member-failed`) to `onEvent`.
   * Resolves once the agent acknowledged the stream.
   */
  async stream(types: string, onEvent: (e: SerfMemberEvent) => void): Promise<void> {
    await this.request('stream', { Type: types }, 'stream', (b) =>
      onEvent({ event: String(b['Event']), members: ((b['Members'] as Array<Record<string, unknown>> | undefined) ?? []).map(member) }),
    );
  }

  /** Streams the agent's log lines at `level` and above (DEBUG, INFO, WARN, ERR). */
  async monitor(level: string, onLine: (line: string) => void): Promise<void> {
    await this.request('monitor', { LogLevel: level }, 'stream', (b) => onLine(String(b['Log'] ?? '')));
  }

  /** Called once when the connection ends (with the error, if it failed). */
  onClose(listener: (error: Error | undefined) => void): void {
    this.closeListeners.push(listener);
  }

  close(): void {
    this.closed = true;
    this.socket.destroy();
  }

  private request(command: string, body: Record<string, unknown> | undefined, kind: Pending['kind'], onRecord?: (b: Record<string, unknown>) => void): Promise<unknown> {
    if (this.failure || this.closed) return Promise.reject(this.failure ?? new Error(`serf agent at ${this.address}: connection closed`));
    const seq = this.seq++;
    return new Promise((resolve, reject) => {
      this.pending.set(seq, { kind, resolve, reject, ...(onRecord ? { onRecord } : {}) });
      const parts = [this.encoder.encode({ Command: command, Seq: seq })];
      if (body !== undefined) parts.push(this.encoder.encode(body));
      this.socket.write(Buffer.concat(parts.map((p) => Buffer.from(p.buffer, p.byteOffset, p.byteLength))));
    });
  }

  private async readLoop(): Promise<void> {
    try {
      for await (const obj of decodeMultiStream(this.socket)) this.dispatch(obj as Record<string, unknown>);
    } catch (e) {
      this.fail(new Error(`serf agent at ${this.address}: unreadable answer: ${(e as Error).message}`));
    }
  }

  private dispatch(obj: Record<string, unknown>): void {
    if (this.awaitingBody) {
      const { seq } = this.awaitingBody;
      this.awaitingBody = undefined;
      const p = this.pending.get(seq);
      if (!p) return;
      if (p.kind === 'stream') p.onRecord?.(obj);
      else {
        this.pending.delete(seq);
        p.resolve(obj);
      }
      return;
    }
    const seq = Number(obj['Seq']);
    const error = String(obj['Error'] ?? '');
    const p = this.pending.get(seq);
    if (!p) return;
    if (error !== '') {
      this.pending.delete(seq);
      p.reject(new Error(`serf agent at ${this.address}: ${error}`));
      return;
    }
    if (p.kind === 'header') {
      this.pending.delete(seq);
      p.resolve(undefined);
    } else if (p.kind === 'stream' && !p.acked) {
      p.acked = true;
      p.resolve(undefined);
    } else this.awaitingBody = { seq, error };
  }

  private fail(error: Error | undefined): void {
    if (this.failure || (this.closed && error === undefined && this.pending.size === 0 && this.closeListeners.length === 0)) return;
    const e = error ?? new Error(`serf agent at ${this.address}: connection closed`);
    this.failure = e;
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
    for (const l of this.closeListeners.splice(0)) l(this.closed ? undefined : e);
  }
}
