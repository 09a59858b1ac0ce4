/** Every ported case file, by the plugin its table covers (the Conformance page's sections). */
import type { UpstreamCase } from './harness.js';
import { CASES as nodeName } from './cases/node-name.js';
import { CASES as taintToleration } from './cases/taint-toleration.js';
import { CASES as fitScoring } from './cases/node-resources-fit-scoring.js';
import { CASES as fitFilter } from './cases/node-resources-fit-filter.js';
import { CASES as balanced } from './cases/balanced-allocation.js';
import { CASES as imageLocality } from './cases/image-locality.js';
import { CASES as nodeAffinity } from './cases/node-affinity.js';
import { CASES as ipaFilter } from './cases/inter-pod-affinity-filter.js';
import { CASES as ipaScore } from './cases/inter-pod-affinity-score.js';
import { CASES as ptsFilter } from './cases/pod-topology-spread-filter.js';
import { CASES as ptsScore } from './cases/pod-topology-spread-score.js';
import { CASES as ptsState, SCORE_STATE_CASES as ptsScoreState } from './cases/pod-topology-spread-state.js';
import { CASES as preemption, PDB_CASES as preemptionPdb } from './cases/default-preemption.js';

export const ALL_CASES: Readonly<Record<string, readonly UpstreamCase[]>> = {
  'NodeName, NodeUnschedulable': nodeName,
  TaintToleration: taintToleration,
  'NodeResourcesFit (filter)': fitFilter,
  'NodeResourcesFit (scoring)': fitScoring,
  NodeResourcesBalancedAllocation: balanced,
  ImageLocality: imageLocality,
  NodeAffinity: nodeAffinity,
  'InterPodAffinity (filter)': ipaFilter,
  'InterPodAffinity (scoring)': ipaScore,
  'PodTopologySpread (filter)': [...ptsFilter, ...ptsState],
  'PodTopologySpread (scoring)': [...ptsScore, ...ptsScoreState],
  DefaultPreemption: [...preemption, ...preemptionPdb],
};
