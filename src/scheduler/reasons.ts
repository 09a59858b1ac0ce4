/** The unschedulable summary lives in core (the GPU study below the scheduler writes it too). */
export { unschedulableMessage } from '../core/unschedulable.js';
