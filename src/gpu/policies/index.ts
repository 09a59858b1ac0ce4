/** The six policies of the FGD paper, by name. One line per policy. */
import { InputError } from '../../core/errors.js';
import { BestFitPolicy } from './best-fit.js';
import { DotProdPolicy } from './dotprod.js';
import { FgdPolicy } from './fgd.js';
import { GpuClusteringPolicy } from './gpu-clustering.js';
import { GpuPackingPolicy } from './gpu-packing.js';
import { EXTRA_POLICY_NAMES, POLICY_NAMES, type GpuPolicy, type PolicyContext, type PolicyName } from './policy.js';
import { RandomPolicy } from './random.js';

export { EXTRA_POLICY_NAMES, POLICY_NAMES, type GpuPolicy, type PolicyContext, type PolicyName } from './policy.js';

const FACTORIES: Readonly<Record<PolicyName, (ctx: PolicyContext) => GpuPolicy>> = {
  random: (ctx) => new RandomPolicy(ctx),
  dotprod: (ctx) => new DotProdPolicy(ctx),
  'gpu-clustering': (ctx) => new GpuClusteringPolicy(ctx),
  'gpu-packing': (ctx) => new GpuPackingPolicy(ctx),
  'best-fit': (ctx) => new BestFitPolicy(ctx),
  fgd: (ctx) => new FgdPolicy(ctx),
  'fgd-exact': (ctx) => new FgdPolicy(ctx, { exact: true }),
};

export function isPolicyName(name: string): name is PolicyName {
  return (POLICY_NAMES as readonly string[]).includes(name) || (EXTRA_POLICY_NAMES as readonly string[]).includes(name);
}

/** A fresh policy bound to one run's cluster, fragmentation measure and random stream. */
export function createGpuPolicy(name: string, ctx: PolicyContext): GpuPolicy {
  if (!isPolicyName(name)) {
    throw new InputError(`unknown policy ${JSON.stringify(name)}; known: ${[...POLICY_NAMES, ...EXTRA_POLICY_NAMES].join(', ')}`);
  }
  return FACTORIES[name](ctx);
}
