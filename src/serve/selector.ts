/**
 * Label selectors, Kubernetes' equality-based syntax: `app=web,tier!=db,canary,!legacy`
 * (`=` and `==` equal, `!=` not equal or absent, `key` present, `!key` absent), plus
 * `key in (a,b)` and `key notin (a,b)`. Every term must hold.
 */
export type Requirement =
  | { readonly op: 'eq' | 'ne'; readonly key: string; readonly value: string }
  | { readonly op: 'in' | 'notin'; readonly key: string; readonly values: readonly string[] }
  | { readonly op: 'exists' | 'absent'; readonly key: string };

export type Selector = readonly Requirement[];

const KEY = /^[A-Za-z0-9]([-A-Za-z0-9_./]*[A-Za-z0-9])?$/;
const VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/;

/** Parses a selector; throws Error with a one-line message naming the bad term. */
export function parseSelector(text: string): Selector {
  const terms: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of text) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      terms.push(cur);
      cur = '';
    } else cur += ch;
  }
  terms.push(cur);
  const out: Requirement[] = [];
  for (const raw of terms) {
    const t = raw.trim();
    if (t === '') continue;
    let m: RegExpExecArray | null;
    const bad = (why: string) => new Error(`bad selector term ${JSON.stringify(t)}: ${why}`);
    if ((m = /^(\S+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(t))) {
      const values = m[3].split(',').map((v) => v.trim()).filter((v) => v !== '');
      if (!KEY.test(m[1])) throw bad('invalid label key');
      if (values.some((v) => !VALUE.test(v))) throw bad('invalid label value');
      out.push({ op: m[2] as 'in' | 'notin', key: m[1], values });
    } else if ((m = /^([^=!\s]+)\s*(==|=|!=)\s*(\S*)$/.exec(t))) {
      if (!KEY.test(m[1])) throw bad('invalid label key');
      if (!VALUE.test(m[3])) throw bad('invalid label value');
      out.push({ op: m[2] === '!=' ? 'ne' : 'eq', key: m[1], value: m[3] });
    } else if ((m = /^!\s*(\S+)$/.exec(t))) {
      if (!KEY.test(m[1])) throw bad('invalid label key');
      out.push({ op: 'absent', key: m[1] });
    } else if (KEY.test(t)) {
      out.push({ op: 'exists', key: t });
    } else {
      throw bad('expected key=value, key!=value, key, !key, key in (a,b) or key notin (a,b)');
    }
  }
  return out;
}

export function matchesSelector(s: Selector, labels: Readonly<Record<string, string>>): boolean {
  for (const r of s) {
    const has = Object.prototype.hasOwnProperty.call(labels, r.key);
    const v = has ? labels[r.key] : undefined;
    switch (r.op) {
      case 'eq':
        if (v !== r.value) return false;
        break;
      case 'ne':
        if (v === r.value) return false;
        break;
      case 'in':
        if (v === undefined || !r.values.includes(v)) return false;
        break;
      case 'notin':
        if (v !== undefined && r.values.includes(v)) return false;
        break;
      case 'exists':
        if (!has) return false;
        break;
      case 'absent':
        if (has) return false;
        break;
    }
  }
  return true;
}
