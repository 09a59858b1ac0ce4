/**
 * FGD's fragmentation measure (Weng et al., USENIX ATC '23, §4; simulator
 * hkust-adsl/kubernetes-scheduler-simulator, pkg/utils/frag.go `NodeGpuShareFragAmount` and
 * `GetTypicalPods`).
 *
 * The "typical tasks" M are the most frequent pod shapes of the workload (shape = cpu, GPU count,
 * milli-GPU per GPU, allowed models; memory is not part of it), each with its frequency p_m.
 * For a node n with free cpu C_n and free milli-GPU per device R_n[g], the fragmentation measured
 * by task m is
 *
 *   F_n(m) = Σ_g R_n[g]                        if m asks for no GPU (it can never use them),
 *                                              or n's model is not allowed for m,
 *                                              or C_n < cpu_m,
 *                                              or fewer than k_m devices have ≥ milli_m free;
 *   F_n(m) = Σ_{g : R_n[g] < milli_m} R_n[g]   otherwise (only devices too small for m are fragments).
 *
 * and the node's fragmentation is F_n = Σ_m p_m F_n(m) (in milli-GPU). The cluster's is Σ_n F_n;
 * its fragmentation ratio is Σ_n F_n / Σ_n Σ_g R_n[g] (the share of idle GPU that is fragmented).
 */
import type { GpuCluster } from './cluster.js';
import { MAX_GPUS_PER_NODE, type GpuPodSpec } from './types.js';

/** The simulator's settings in the paper's experiments (typicalPodsConfig). */
export const TYPICAL_POPULARITY_PCT = 95;

export interface TypicalTask {
  readonly cpuMilli: number;
  readonly numGpu: number;
  readonly gpuMilli: number;
  readonly gpuSpec: string;
  /** How many pods of the workload have this shape; p_m = count / Σ counts of the typical tasks. */
  readonly count: number;
  /** p_m, summing to 1 over the list. */
  readonly freq: number;
}

/**
 * The typical tasks of a workload: count pods per shape (CPU-only pods included), sort by count
 * descending (ties: larger cpu, then larger milli-GPU, then more GPUs, then larger spec string, as
 * the simulator's reversed sort does), take shapes one at a time until they cover ≥ 95% of the pods,
 * and renormalise their frequencies to sum to 1.
 */
export function typicalTasks(pods: readonly GpuPodSpec[], popularityPct = TYPICAL_POPULARITY_PCT): TypicalTask[] {
  const counts = new Map<string, { cpuMilli: number; numGpu: number; gpuMilli: number; gpuSpec: string; n: number }>();
  for (const p of pods) {
    const spec = p.gpuSpec.join('|');
    const key = `${p.cpuMilli}/${p.gpuMilli}/${p.numGpu}/${spec}`;
    const c = counts.get(key);
    if (c) c.n++;
    else counts.set(key, { cpuMilli: p.cpuMilli, numGpu: p.numGpu, gpuMilli: p.gpuMilli, gpuSpec: spec, n: 1 });
  }
  const list = [...counts.values()].sort(
    (a, b) =>
      b.n - a.n ||
      b.cpuMilli - a.cpuMilli ||
      b.gpuMilli - a.gpuMilli ||
      b.numGpu - a.numGpu ||
      (a.gpuSpec < b.gpuSpec ? 1 : a.gpuSpec > b.gpuSpec ? -1 : 0),
  );
  const total = pods.length;
  const want = (popularityPct * total) / 100;
  let cum = 0;
  let i = 0;
  while (cum < want && i < list.length) cum += list[i++].n;
  return list.slice(0, i).map((t) => ({ cpuMilli: t.cpuMilli, numGpu: t.numGpu, gpuMilli: t.gpuMilli, gpuSpec: t.gpuSpec, count: t.n, freq: t.n / cum }));
}

/**
 * F_n for any node state, precompiled per GPU model: the tasks that can never use the node's GPUs
 * (CPU-only, or model not allowed) add `constFreq[model] × Σ_g R[g]`; the others are looped over.
 *
 * Exact arithmetic: the frequencies are kept as integer counts, so `ofState` returns
 * W_n = Σ_m count_m F_n(m), an integer (< 2^53), and F_n = W_n / `scale` with scale = Σ_m count_m.
 * Comparing W values never depends on floating-point rounding, so two node states with the same
 * fragmentation change tie exactly (and the tie goes to the smaller node name, not to an ulp).
 */
export class FragMeasure {
  /** Σ_m count_m: divide a weighted amount by it to get milli-GPU. */
  readonly scale: number;
  private readonly constFreq: Float64Array;
  private readonly acc: { cpu: Int32Array; num: Int32Array; milli: Int32Array; freq: Float64Array }[];

  constructor(readonly tasks: readonly TypicalTask[], models: readonly string[]) {
    this.scale = tasks.reduce((a, t) => a + t.count, 0);
    this.constFreq = new Float64Array(models.length);
    this.acc = models.map((model, m) => {
      const cpu: number[] = [];
      const num: number[] = [];
      const milli: number[] = [];
      const freq: number[] = [];
      for (const t of tasks) {
        const allowed = t.gpuSpec === '' || t.gpuSpec.split('|').includes(model);
        if (t.gpuMilli === 0 || t.numGpu === 0 || !allowed || model === '') this.constFreq[m] += t.count;
        else {
          cpu.push(t.cpuMilli);
          num.push(t.numGpu);
          milli.push(t.gpuMilli);
          freq.push(t.count);
        }
      }
      return { cpu: Int32Array.from(cpu), num: Int32Array.from(num), milli: Int32Array.from(milli), freq: Float64Array.from(freq) };
    });
  }

  /**
   * W_n (= F_n × scale, an exact integer) of a node state: free cpu `cpuLeft`, free milli-GPU
   * `gpus[off .. off+count)`, GPU model `model`. Cost: O(|typical tasks| × count).
   * Positional arguments on purpose: this is the innermost loop of FGD (no object per call).
   */
  ofState(cpuLeft: number, gpus: Int32Array, off: number, count: number, model: number): number {
    let total = 0;
    for (let g = 0; g < count; g++) total += gpus[off + g];
    if (total === 0) return 0;
    let frag = this.constFreq[model] * total;
    const a = this.acc[model];
    const n = a.freq.length;
    for (let t = 0; t < n; t++) {
      const milli = a.milli[t];
      if (cpuLeft < a.cpu[t]) {
        frag += a.freq[t] * total;
        continue;
      }
      let fits = 0;
      let small = 0;
      for (let g = 0; g < count; g++) {
        const l = gpus[off + g];
        if (l >= milli) fits++;
        else small += l;
      }
      frag += a.freq[t] * (fits >= a.num[t] ? small : total);
    }
    return frag;
  }

  /** W_n (= F_n × scale) of node i of the cluster as it is now. */
  ofNode(c: GpuCluster, i: number): number {
    return this.ofState(c.cpuLeft[i], c.gpuLeft, i * MAX_GPUS_PER_NODE, c.gpuCount[i], c.modelId[i]);
  }
}

