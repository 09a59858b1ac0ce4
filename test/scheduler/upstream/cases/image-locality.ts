/** pkg/scheduler/framework/plugins/imagelocality/image_locality_test.go */
import { normalizedImageName } from '../../../../src/core/images.js';
import { MAX, node, pod, type UpstreamCase } from '../harness.js';

const MB = 1024 * 1024;
type Img = { names: string[]; sizeBytes: number };
const img = (size: number, ...names: string[]): Img => ({ names, sizeBytes: size * MB });
const node403002000 = [img(40, 'gcr.io/40:latest', 'gcr.io/40:v1', 'gcr.io/40:v1'), img(300, 'gcr.io/300:latest', 'gcr.io/300:v1'), img(2000, 'gcr.io/2000:latest')];
const node25010 = [img(250, 'gcr.io/250:latest'), img(10, 'gcr.io/10:latest', 'gcr.io/10:v1')];
const node60040900 = [img(600, 'gcr.io/600:latest'), img(40, 'gcr.io/40:latest'), img(900, 'gcr.io/900:latest')];
const node300600900 = [img(300, 'gcr.io/300:latest'), img(600, 'gcr.io/600:latest'), img(900, 'gcr.io/900:latest')];
const node400030 = [img(4000, 'gcr.io/4000:latest'), img(30, 'gcr.io/30:latest')];
const node203040 = [img(20, 'gcr.io/20:latest'), img(30, 'gcr.io/30:latest'), img(40, 'gcr.io/40:latest')];
const n = (name: string, images: Img[]) => node(name, images.length ? { images } : {});
const T = 'TestImageLocalityPriority';
const c = (name: string, images: string[], nodes: Array<[string, Img[]]>, score: Record<string, number>): UpstreamCase => ({
  upstream: T,
  name,
  plugin: 'ImageLocality',
  snapshot: { nodes: nodes.map(([nn, i]) => n(nn, i)), pending: pod('p', { images }) },
  score,
});
const norm = (name: string, input: string, output: string): UpstreamCase => ({ upstream: 'TestNormalizedImageName', name, plugin: 'ImageLocality', unit: () => normalizedImageName(input), want: output });
const DIGEST = 'sha256:4813494d137e1631bba301d5acab6e7bb7aa74ce1185d456565ef51d737677b2'; // sha256("root")

export const CASES: readonly UpstreamCase[] = [
  // node2: 100 · (250M · 1/2 - 23M) / (1000M · 2 - 23M) = 5
  c('two images spread on two nodes, prefer the larger image one', ['gcr.io/40', 'gcr.io/250'], [['node1', node403002000], ['node2', node25010]], { node1: 0, node2: 5 }),
  c('two images on one node, prefer this node', ['gcr.io/40', 'gcr.io/300'], [['node1', node403002000], ['node2', node25010]], { node1: 7, node2: 0 }),
  c('if exceed limit, use limit', ['gcr.io/10', 'gcr.io/4000'], [['node1', node400030], ['node2', node25010]], { node1: MAX, node2: 0 }),
  c('if exceed limit, use limit (with node which has no images present)', ['gcr.io/10', 'gcr.io/4000'], [['node1', node400030], ['node2', node25010], ['node3', []]], { node1: 66, node2: 0, node3: 0 }),
  c('pod with multiple large images, node2 is preferred', ['gcr.io/300', 'gcr.io/600', 'gcr.io/900'], [['node1', node60040900], ['node2', node300600900], ['node3', []]], { node1: 32, node2: 36, node3: 0 }),
  c('pod with multiple small images', ['gcr.io/30', 'gcr.io/40'], [['node1', node203040], ['node2', node400030]], { node1: 1, node2: 0 }),
  // Pod: gcr.io/30, init container gcr.io/300; node1: 100 · (300M · 1/2 - 23M) / (1000M · 2 - 23M) = 6
  {
    upstream: T,
    name: 'include InitContainers: two images spread on two nodes, prefer the larger image one',
    plugin: 'ImageLocality',
    snapshot: { nodes: [n('node1', node403002000), n('node2', node203040)], pending: pod('p', { images: ['gcr.io/30'], initContainers: [{ image: 'gcr.io/300' }] }) },
    score: { node1: 6, node2: 0 },
  },
  norm('add :latest postfix 1', 'root', 'root:latest'),
  norm('add :latest postfix 2', 'gcr.io:5000/root', 'gcr.io:5000/root:latest'),
  norm('keep it as is 1', 'root:tag', 'root:tag'),
  norm('keep it as is 2', `root@${DIGEST}`, `root@${DIGEST}`),
];
