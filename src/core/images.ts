/**
 * Container image names as kubelet reports them in node.status.images and as kube-scheduler's
 * ImageLocality matches them.
 */

/** `nginx` → `nginx:latest`; a tag or digest is kept (kube-scheduler's normalizedImageName). */
export function normalizedImageName(name: string): string {
  const lastSlash = name.lastIndexOf('/');
  const tail = name.slice(lastSlash + 1);
  if (tail.includes(':') || tail.includes('@')) return name;
  return `${name}:latest`;
}
