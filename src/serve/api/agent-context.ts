/** What the agent-facing routes (simulate, MCP, dashboard) read from the daemon's ClusterControl. */
import type { ClusterControl } from '../control.js';

export type ControlView = Pick<ClusterControl, 'orchestrator' | 'store' | 'backend' | 'scenario'>;
