/** A worker thread of `slipway experiment membership` (src/pool): runs the gossip-group runs it is sent. */
import { runMembership, type MembershipRunResult, type MembershipRunSpec } from '../membership/experiment.js';
import { serveTasks } from '../pool/serve-tasks.js';

serveTasks((spec: MembershipRunSpec): Promise<MembershipRunResult> => runMembership(spec));
