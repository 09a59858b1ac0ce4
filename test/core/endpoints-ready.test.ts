/**
 * Issue #19: a paused container's instance is not ready, so it leaves its workload's endpoints
 * (as Kubernetes drops a not-ready pod from the EndpointSlice) and comes back when it resumes.
 */
import { describe, expect, it } from 'vitest';
import { EndpointTracker } from '../../src/core/endpoint-tracker.js';
import { instanceEndpoints } from '../../src/core/endpoints.js';
import { newWorkloadState } from '../../src/core/control-plane-state.js';
import { instance, recorder, workload } from '../support/control-plane.js';

describe('endpoints of a not-ready instance', () => {
  it('a paused instance leaves the endpoints (endpoints.changed), and returns when ready again', () => {
    const clock = { now: () => 0, setTimer: () => () => {}, sleep: () => Promise.resolve() };
    const rec = recorder(clock);
    const ws = newWorkloadState(workload('web'));
    const c = { ...ws.workload.containers[0], ports: [{ containerPort: 80, protocol: 'tcp' as const }] };
    const inst = instance('web-1', ws, { status: 'Running', ip: '10.244.0.2' });
    const t = new EndpointTracker(rec);
    t.update(inst, [c]);
    expect(t.of('web')).toEqual(['10.244.0.2:80']);
    inst.notReady = 'container c is paused';
    expect(instanceEndpoints(inst, [c])).toEqual([]);
    t.update(inst, [c]);
    expect(t.of('web')).toEqual([]);
    delete inst.notReady;
    t.update(inst, [c]);
    expect(t.of('web')).toEqual(['10.244.0.2:80']);
    expect(rec.of('endpoints.changed').map((r) => [r.fields.added, r.fields.removed])).toEqual([
      [['10.244.0.2:80'], []],
      [[], ['10.244.0.2:80']],
      [['10.244.0.2:80'], []],
    ]);
  });
});
