/**
 * ImageLocality: favours nodes that already have the pod's images, weighted by how widely each
 * image is spread (to avoid piling pods onto the few nodes with a rare image).
 *   sum   = Σ_containers ⌊size(image) · nodesWithImage / totalNodes⌋   (images present on the node)
 *   clamp sum to [23Mi, 1000Mi · containers]
 *   score = ⌊100 · (sum - 23Mi) / (1000Mi · containers - 23Mi)⌋
 * Image names are normalized (`nginx` → `nginx:latest`).
 */
import { argsObject } from '../../framework/args.js';
import { scoresProvenInRange } from '../../framework/framework.js';
import { normalizedImageName } from '../../framework/helpers.js';
import { MAX_NODE_SCORE, type Plugin } from '../../framework/types.js';

export const IMAGE_LOCALITY = 'ImageLocality';
const MB = 1024 * 1024;
export const MIN_THRESHOLD = 23 * MB;
export const MAX_CONTAINER_THRESHOLD = 1000 * MB;

export function calculatePriority(sumScores: number, numContainers: number): number {
  const maxThreshold = MAX_CONTAINER_THRESHOLD * numContainers;
  if (sumScores < MIN_THRESHOLD) sumScores = MIN_THRESHOLD;
  else if (sumScores > maxThreshold) sumScores = maxThreshold;
  return Math.trunc((MAX_NODE_SCORE * (sumScores - MIN_THRESHOLD)) / (maxThreshold - MIN_THRESHOLD));
}

export function imageLocality(args?: unknown): Plugin {
  argsObject(IMAGE_LOCALITY, args, []);
  let images: string[] = [];
  /** The last pod's image list and its normalized names (pods of a workload share the list). */
  let lastRaw: readonly string[] | undefined;
  let lastImages: string[] = [];
  // calculatePriority clamps the sum to [min, max] before scaling: scores in range.
  return scoresProvenInRange({
    name: IMAGE_LOCALITY,
    preScore: (cx) => {
      if (cx.pod.images !== lastRaw) {
        lastRaw = cx.pod.images;
        lastImages = lastRaw.map(normalizedImageName);
      }
      images = lastImages;
      return images.length === 0 ? 'skip' : undefined;
    },
    scoreAll: (cx, nodes, count, out) => {
      const t = cx.table;
      const containers = images.length;
      if (containers === 1) {
        // One image (the usual case): sum and priority in one pass.
        const img = images[0];
        const spread = (t.imageNodes.get(img) ?? 0) / t.n;
        if (spread === 0) {
          out.fill(calculatePriority(0, 1), 0, count);
          return;
        }
        const sizes = t.imageSizes(img);
        // nodes mostly hold the image at one size: reuse the last node's score for the same size
        let lastSize = 0;
        let lastScore = calculatePriority(0, 1);
        for (let k = 0; k < count; k++) {
          const size = sizes[nodes[k]];
          if (size !== lastSize) {
            lastSize = size;
            lastScore = calculatePriority(Math.trunc(size * spread), 1);
          }
          out[k] = lastScore;
        }
        return;
      }
      out.fill(0, 0, count);
      for (const img of images) {
        const spread = (t.imageNodes.get(img) ?? 0) / t.n;
        if (spread === 0) continue;
        const sizes = t.imageSizes(img);
        for (let k = 0; k < count; k++) {
          const size = sizes[nodes[k]];
          if (size !== 0) out[k] += Math.trunc(size * spread);
        }
      }
      for (let k = 0; k < count; k++) out[k] = calculatePriority(out[k], containers);
    },
    score: (cx, i) => {
      const t = cx.table;
      const have = t.images[i];
      let sum = 0;
      if (have) {
        for (const img of images) {
          const size = have.get(img);
          if (size !== undefined) sum += Math.trunc(size * ((t.imageNodes.get(img) ?? 0) / t.n));
        }
      }
      return calculatePriority(sum, images.length);
    },
  });
}
