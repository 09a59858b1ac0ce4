/** The trace importer on tiny CSVs written here (the real trace is never copied into the repo). */
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/core/errors.js';
import { parseNodeList, parsePodList } from '../../src/gpu/trace-csv.js';

const NODES = `sn,cpu_milli,memory_mib,gpu,model
openb-node-0001,64000,262144,2,P100
openb-node-0000,96000,393216,8,G2
openb-node-cpu,32000,131072,0,
`;

const PODS = `name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec,qos,pod_phase,creation_time,deletion_time,scheduled_time
openb-pod-0000,12000,16384,1,1000,,LS,Running,0,12537496,0
openb-pod-0001,6000,12288,1,460,V100M16|V100M32,LS,Running,427061,12902960,427061
openb-pod-0002,4000,8192,0,0,,BE,Failed,10,,
openb-pod-0003,88000,327680,8,1000,,LS,Pending,20,30,
`;

describe('parseNodeList', () => {
  it('reads sn, cpu_milli, memory_mib, gpu and model', () => {
    expect(parseNodeList(NODES, 'nodes.csv')).toEqual([
      { name: 'openb-node-0001', cpuMilli: 64000, memoryMiB: 262144, gpuCount: 2, model: 'P100' },
      { name: 'openb-node-0000', cpuMilli: 96000, memoryMiB: 393216, gpuCount: 8, model: 'G2' },
      { name: 'openb-node-cpu', cpuMilli: 32000, memoryMiB: 131072, gpuCount: 0, model: '' },
    ]);
  });

  it('names the file, line, column and value of a bad row', () => {
    const bad = NODES.replace('64000,262144,2,P100', '64000,262144,two,P100');
    expect(() => parseNodeList(bad, 'nodes.csv')).toThrow(InputError);
    expect(() => parseNodeList(bad, 'nodes.csv')).toThrow('nodes.csv:2: gpu must be an integer in [0, 8], got "two"');
    expect(() => parseNodeList('sn,cpu_milli,memory_mib,gpu\nn,1,1,1\n', 'x.csv')).toThrow('x.csv:1: missing column "model"');
    expect(() => parseNodeList('sn,cpu_milli,memory_mib,gpu,model\nn,1,1,2,\n', 'x.csv')).toThrow('x.csv:2: model must be set');
  });
});

describe('parsePodList', () => {
  it('reads GPU requests, the model constraint and the times', () => {
    const pods = parsePodList(PODS, 'pods.csv');
    expect(pods[1]).toEqual({
      name: 'openb-pod-0001',
      cpuMilli: 6000,
      memoryMiB: 12288,
      numGpu: 1,
      gpuMilli: 460,
      gpuSpec: ['V100M16', 'V100M32'],
      creationTime: 427061,
      deletionTime: 12902960,
    });
    expect(pods[2]).toMatchObject({ numGpu: 0, gpuMilli: 0, gpuSpec: [], deletionTime: undefined });
    expect(pods[3]).toMatchObject({ numGpu: 8, gpuMilli: 1000 });
  });

  it('reads the five-column multigpu files', () => {
    const pods = parsePodList('name,cpu_milli,memory_mib,num_gpu,gpu_milli\nopenb-pod-0000,12000,16384,2,1000\n', 'multigpu.csv');
    expect(pods).toEqual([
      { name: 'openb-pod-0000', cpuMilli: 12000, memoryMiB: 16384, numGpu: 2, gpuMilli: 1000, gpuSpec: [], creationTime: undefined, deletionTime: undefined },
    ]);
  });

  it('rejects a GPU share on more than one GPU, naming the line and values', () => {
    const bad = PODS.replace('6000,12288,1,460', '6000,12288,2,460');
    expect(() => parsePodList(bad, 'pods.csv')).toThrow('pods.csv:3: gpu_milli 460 (a GPU share) needs num_gpu 1, got 2');
    expect(() => parsePodList(PODS.replace('12000,16384,1,1000', '12000,16384,1,1500'), 'pods.csv')).toThrow(
      'pods.csv:2: gpu_milli must be an integer in [0, 1000], got "1500"',
    );
  });
});
