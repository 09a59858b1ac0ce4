/**
 * Trace → Chrome trace event format (JSON), which Perfetto (ui.perfetto.dev) and chrome://tracing
 * open. Layout: one process per node (named after it), holding one thread per "lane"; each instance
 * is a complete slice ("ph":"X") on the first lane of its node free when it was scheduled, from
 * `instance.scheduled` until `instance.removed`/`instance.forgotten` (or the end of the trace), so
 * slices on a lane never overlap. Node status changes are instant events on the node; faults and
 * operations are global instant events. Times: trace ms × 1000 = µs.
 *
 * Streaming: records go in one at a time, JSON text comes out in pieces; memory is bounded by the
 * instances alive at once.
 */
import { fieldsOf, type TraceEvent } from '../core/trace-events.js';

interface NodeTrack {
  readonly pid: number;
  /** Lane k is busy until lanes[k] is released (true while busy). */
  readonly lanes: boolean[];
}

interface OpenSlice {
  readonly node: NodeTrack;
  readonly lane: number;
  readonly start: number;
  readonly workload: string;
  readonly instance: string;
  readonly slot: number | undefined;
  status: string;
}

const us = (ms: number) => Math.round(ms * 1000);

export class PerfettoConverter {
  private readonly nodes = new Map<string, NodeTrack>();
  private readonly open = new Map<string, OpenSlice>();
  private readonly slots = new Map<string, number>();
  private lastT = 0;
  private first = true;

  /** The opening text of the JSON document. */
  header(): string {
    return '{"displayTimeUnit":"ms","traceEvents":[\n' + this.event({ ph: 'M', pid: 0, tid: 0, name: 'process_name', args: { name: 'cluster (faults, operations)' } });
  }

  /** Converts one event; returns the JSON text to append (possibly empty). */
  push(r: TraceEvent): string {
    this.lastT = Math.max(this.lastT, r.t);
    let out = '';
    switch (r.type) {
      case 'node.added': {
        const name = r.node;
        if (this.nodes.has(name)) break;
        const track: NodeTrack = { pid: this.nodes.size + 1, lanes: [] };
        this.nodes.set(name, track);
        out += this.event({ ph: 'M', pid: track.pid, tid: 0, name: 'process_name', args: { name: `node ${name}` } });
        out += this.event({ ph: 'M', pid: track.pid, tid: 0, name: 'process_sort_index', args: { sort_index: track.pid } });
        out += this.event({ ph: 'i', s: 'p', pid: track.pid, tid: 0, ts: us(r.t), name: `added (${r.status})` });
        break;
      }
      case 'node.status': {
        const n = this.nodes.get(r.node);
        if (n) out += this.event({ ph: 'i', s: 'p', pid: n.pid, tid: 0, ts: us(r.t), name: `${r.from} → ${r.to}` });
        break;
      }
      case 'node.taints': {
        const n = this.nodes.get(r.node);
        if (n) out += this.event({ ph: 'i', s: 'p', pid: n.pid, tid: 0, ts: us(r.t), name: `taints [${r.taints.join(', ')}]` });
        break;
      }
      case 'node.removed': {
        const n = this.nodes.get(r.node);
        if (n) out += this.event({ ph: 'i', s: 'p', pid: n.pid, tid: 0, ts: us(r.t), name: 'removed' });
        break;
      }
      case 'instance.created':
        this.slots.set(r.instance, r.slot);
        break;
      case 'instance.scheduled': {
        const n = r.node === undefined ? undefined : this.nodes.get(r.node);
        if (!n) break;
        let lane = n.lanes.indexOf(false);
        if (lane < 0) {
          lane = n.lanes.length;
          n.lanes.push(true);
          out += this.event({ ph: 'M', pid: n.pid, tid: lane + 1, name: 'thread_name', args: { name: `lane ${lane + 1}` } });
        } else n.lanes[lane] = true;
        const id = r.instance;
        this.open.set(id, { node: n, lane, start: r.t, workload: r.workload, instance: id, slot: this.slots.get(id), status: 'Pending' });
        break;
      }
      case 'instance.status': {
        const o = this.open.get(r.instance);
        if (o) {
          o.status = r.to;
          out += this.event({ ph: 'i', s: 't', pid: o.node.pid, tid: o.lane + 1, ts: us(r.t), name: `${o.workload} ${r.to}` });
        }
        break;
      }
      case 'instance.removed':
      case 'instance.forgotten':
        out += this.close(r.instance, r.t, r.type);
        this.slots.delete(r.instance);
        break;
      default:
        if (r.type.startsWith('fault.') || r.type.startsWith('op.')) {
          // Every field of the fault or operation goes in the slice's arguments.
          const { t: _t, type: _ty, ...args } = fieldsOf(r);
          const target = args.node ?? args.workload ?? '';
          out += this.event({ ph: 'i', s: 'g', pid: 0, tid: 0, ts: us(r.t), name: `${r.type} ${typeof target === 'string' ? target : ''}`.trim(), args });
        }
    }
    return out;
  }

  /** Closes the slices still open at the end of the trace and the JSON document. */
  finish(): string {
    let out = '';
    for (const id of [...this.open.keys()]) out += this.close(id, this.lastT, 'end of trace');
    return out + '\n]}\n';
  }

  private close(id: string, t: number, why: string): string {
    const o = this.open.get(id);
    if (!o) return '';
    this.open.delete(id);
    o.node.lanes[o.lane] = false;
    return this.event({
      ph: 'X',
      pid: o.node.pid,
      tid: o.lane + 1,
      ts: us(o.start),
      dur: us(t) - us(o.start),
      name: o.workload,
      cat: 'instance',
      args: { instance: o.instance, slot: o.slot, lastStatus: o.status, ended: why },
    });
  }

  private event(e: Record<string, unknown>): string {
    const text = (this.first ? '' : ',\n') + JSON.stringify(e);
    this.first = false;
    return text;
  }
}
