/**
 * A bound on how deeply a YAML file nests, checked before the document is built. The yaml
 * library composes documents recursively: 20,000 nested `[` (a 40 KB file) killed `slipway
 * validate` with a V8 fatal error and a native stack, and 3,000 nested mappings gave
 * "Maximum call stack size exceeded" as the message. Its CST parser is iterative, so the depth
 * is measured on the CST (with an explicit stack) first.
 */
import { Parser, type CST } from 'yaml';

/** Collections nested deeper than this are refused (Kubernetes manifests nest about 12 levels). */
export const MAX_YAML_DEPTH = 100;

/**
 * The offset of the first collection nested deeper than `max` levels (a mapping, a list or a flow
 * `{...}`/`[...]`, each one level), or undefined when the text stays within `max`.
 */
export function tooDeepAt(text: string, max = MAX_YAML_DEPTH): number | undefined {
  for (const top of new Parser().parse(text)) {
    const stack: Array<{ token: CST.Token | null | undefined; depth: number }> = [{ token: top, depth: 0 }];
    while (stack.length > 0) {
      const { token, depth } = stack.pop()!;
      if (!token) continue;
      switch (token.type) {
        case 'document':
          stack.push({ token: token.value, depth });
          break;
        case 'block-map':
        case 'block-seq':
        case 'flow-collection': {
          if (depth + 1 > max) return token.offset;
          for (const item of token.items) {
            stack.push({ token: item.value, depth: depth + 1 });
            if ('key' in item) stack.push({ token: item.key, depth: depth + 1 });
          }
          break;
        }
        default:
          break;
      }
    }
  }
  return undefined;
}

/** The one-line reason for a file that nests too deeply. */
export function tooDeepMessage(max = MAX_YAML_DEPTH): string {
  return `nested more than ${max} levels deep (mappings and lists inside each other): Slipway's files are flat; is this the file you meant?`;
}

/** `LINE:COL` (1-based, as the yaml library's LineCounter gives them) of `offset` in `text`. */
export function lineColOf(text: string, offset: number): string {
  let line = 1;
  let start = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    start = i + 1;
  }
  return `${line}:${offset - start + 1}`;
}

/** Throws `FILE:LINE:COL: nested more than ...` (via `fail`) when `text` nests too deeply. */
export function checkYamlDepth(text: string, file: string, fail: (line: string) => never): void {
  const at = tooDeepAt(text);
  if (at !== undefined) fail(`${file}:${lineColOf(text, at)}: ${tooDeepMessage()}`);
}
