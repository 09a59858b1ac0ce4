/**
 * Zod schemas for Kubernetes placement fields (core/v1 PodSpec names), shared by the scenario's
 * `placement:` block, `slipway explain` snapshots and manifests. Objects are strict: an unknown
 * key is reported with the known ones.
 */
import { z } from 'zod';
import type { Placement } from './placement.js';
import { obj } from './fields.js';

const stringMap = z.record(z.string(), z.string({ error: 'expected a string (quote numbers and booleans)' }));
const weight = z.number().int().min(1, { error: 'weight must be in [1, 100]' }).max(100, { error: 'weight must be in [1, 100]' });

const nodeSelectorRequirement = obj({
  key: z.string().min(1),
  operator: z.enum(['In', 'NotIn', 'Exists', 'DoesNotExist', 'Gt', 'Lt']),
  values: z.array(z.string()).optional(),
}).superRefine((r, ctx) => {
  const n = r.values?.length ?? 0;
  if ((r.operator === 'In' || r.operator === 'NotIn') && n === 0) ctx.addIssue({ code: 'custom', path: ['values'], message: `operator ${r.operator} needs at least one value` });
  if ((r.operator === 'Exists' || r.operator === 'DoesNotExist') && n > 0) ctx.addIssue({ code: 'custom', path: ['values'], message: `operator ${r.operator} takes no values` });
  // Kubernetes' API validation asks for exactly one value; one that is not an integer (or not a
  // label value, e.g. negative) makes the term match no node, as in kube-scheduler.
  if ((r.operator === 'Gt' || r.operator === 'Lt') && n !== 1) {
    ctx.addIssue({ code: 'custom', path: ['values'], message: `operator ${r.operator} needs exactly one value` });
  }
});

const nodeSelectorTerm = obj({
  matchExpressions: z.array(nodeSelectorRequirement).optional(),
  matchFields: z.array(nodeSelectorRequirement).optional(),
});

export const labelSelectorSchema = obj({
  matchLabels: stringMap.optional(),
  matchExpressions: z
    .array(
      obj({ key: z.string().min(1), operator: z.enum(['In', 'NotIn', 'Exists', 'DoesNotExist']), values: z.array(z.string()).optional() }),
    )
    .optional(),
});

const podAffinityTerm = obj({
  labelSelector: labelSelectorSchema.optional(),
  namespaces: z.array(z.string()).optional(),
  namespaceSelector: labelSelectorSchema.optional(),
  topologyKey: z.string().min(1, { error: 'topologyKey must not be empty' }),
  matchLabelKeys: z.array(z.string().min(1)).optional(),
  mismatchLabelKeys: z.array(z.string().min(1)).optional(),
}).superRefine((t, ctx) => {
  // Kubernetes' API validation: a key may not be in both lists.
  for (const k of t.matchLabelKeys ?? []) {
    if ((t.mismatchLabelKeys ?? []).includes(k)) ctx.addIssue({ code: 'custom', path: ['mismatchLabelKeys'], message: `key ${JSON.stringify(k)} is also in matchLabelKeys` });
  }
});

const podAffinity = obj({
  requiredDuringSchedulingIgnoredDuringExecution: z.array(podAffinityTerm).optional(),
  preferredDuringSchedulingIgnoredDuringExecution: z.array(obj({ weight, podAffinityTerm })).optional(),
});

export const affinitySchema = obj({
  nodeAffinity: obj({
    requiredDuringSchedulingIgnoredDuringExecution: obj({ nodeSelectorTerms: z.array(nodeSelectorTerm).min(1) }).optional(),
    preferredDuringSchedulingIgnoredDuringExecution: z.array(obj({ weight, preference: nodeSelectorTerm })).optional(),
  }).optional(),
  podAffinity: podAffinity.optional(),
  podAntiAffinity: podAffinity.optional(),
});

export const tolerationSchema = obj({
  key: z.string().optional(),
  operator: z.enum(['Exists', 'Equal', 'Gt', 'Lt']).optional(),
  value: z.string().optional(),
  effect: z.enum(['NoSchedule', 'PreferNoSchedule', 'NoExecute']).optional(),
  tolerationSeconds: z.number().int().optional(),
}).superRefine((t, ctx) => {
  if (t.operator === 'Exists' && t.value) ctx.addIssue({ code: 'custom', path: ['value'], message: 'operator Exists takes no value' });
  if ((t.key ?? '') === '' && t.operator !== 'Exists') ctx.addIssue({ code: 'custom', path: ['operator'], message: 'an empty key needs operator Exists' });
  if ((t.operator === 'Gt' || t.operator === 'Lt') && !/^\d+$/.test(t.value ?? '')) {
    ctx.addIssue({ code: 'custom', path: ['value'], message: `operator ${t.operator} needs an integer value` });
  }
});

export const topologySpreadConstraintSchema = obj({
  maxSkew: z.number().int().min(1, { error: 'maxSkew must be at least 1' }),
  topologyKey: z.string().min(1),
  whenUnsatisfiable: z.enum(['DoNotSchedule', 'ScheduleAnyway']),
  labelSelector: labelSelectorSchema.optional(),
  matchLabelKeys: z.array(z.string().min(1)).optional(),
  minDomains: z.number().int().min(1).optional(),
  nodeAffinityPolicy: z.enum(['Honor', 'Ignore']).optional(),
  nodeTaintsPolicy: z.enum(['Honor', 'Ignore']).optional(),
}).superRefine((c, ctx) => {
  if (c.minDomains !== undefined && c.whenUnsatisfiable !== 'DoNotSchedule') {
    ctx.addIssue({ code: 'custom', path: ['minDomains'], message: 'minDomains needs whenUnsatisfiable: DoNotSchedule' });
  }
});

/** The pod fields the scheduler reads, as they appear in a PodSpec. */
export const placementFields = {
  nodeName: z.string().min(1).optional(),
  nodeSelector: stringMap.optional(),
  affinity: affinitySchema.optional(),
  tolerations: z.array(tolerationSchema).optional(),
  topologySpreadConstraints: z.array(topologySpreadConstraintSchema).optional(),
  priorityClassName: z.string().min(1).optional(),
  gang: obj({
    name: z.string().min(1),
    minMember: z.number().int().min(1),
    timeout: z.union([z.string(), z.number()]).optional(),
  }).optional(),
};

export const placementSchema = obj(placementFields);

export type PlacementInput = z.output<typeof placementSchema>;

/** Drops absent fields; the gang timeout (a duration, ms) is resolved by the caller. */
export function toPlacement(p: PlacementInput, gangTimeoutMs: number): Placement {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(p)) if (v !== undefined && k !== 'gang') out[k] = v;
  if (p.gang) out.gang = { name: p.gang.name, minMember: p.gang.minMember, timeoutMs: gangTimeoutMs };
  return out as Placement;
}
