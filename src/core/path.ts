/**
 * Field paths in messages. Kept apart from fields.ts (which loads zod) so that commands that only
 * format a path, such as the scenario-limit flags every command declares, start without zod.
 */
export type PathSegment = string | number;

/** `workloads[0].containers[1].env.A`, `nodes[0].capacity["example.com/gpu"]`. */
export function formatPath(path: readonly PathSegment[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(seg)) out += out === '' ? seg : `.${seg}`;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}
