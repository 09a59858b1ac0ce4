/**
 * Kubernetes manifest files as users have them: one YAML file of `---`-separated documents (what
 * `kubectl apply -f` takes), each a Kubernetes object, or a `kind: List` (what `kubectl get -o
 * yaml` prints) whose `items` are. Pure: text in, objects out with their places in the file, so a
 * problem in the third document is reported at its own FILE:LINE:COL.
 */
import { LineCounter, parseAllDocuments, type Document } from 'yaml';
import { checkYamlDepth } from './yaml-depth.js';
import { InputError } from '../core/errors.js';
import { describeValue, isMapping, type PathSegment } from './schema.js';
import { documentValue, offsetOf } from './yaml-errors.js';

/** One object of a manifest file and where it is. */
export interface ManifestObject {
  readonly value: Record<string, unknown>;
  /** 1-based number of its document in the file (empty documents count too, as in the file). */
  readonly document: number;
  /** Its path inside the document: `[]`, or `['items', 3]` inside a List. */
  readonly base: readonly PathSegment[];
  /** `FILE:LINE:COL` of a field of the object (`path` relative to the object). */
  readonly where: (path: readonly PathSegment[], at: 'key' | 'value') => string;
  /** The offset in the file of that field, to order problems. */
  readonly offset: (path: readonly PathSegment[], at: 'key' | 'value') => number;
}

/** `document 3` or `document 3 items[1]` — how messages name an object of a manifest file. */
export function manifestObjectName(o: Pick<ManifestObject, 'document' | 'base'>): string {
  return o.base.length === 0 ? `document ${o.document}` : `document ${o.document} items[${String(o.base[1])}]`;
}

/**
 * The objects of a manifest file, in file order; empty documents are skipped. Throws InputError
 * (`FILE:LINE:COL: message`) for a YAML error, an unsupported tag, or a document that is not an
 * object (a list, a string).
 */
export function parseManifestFile(text: string, file: string): ManifestObject[] {
  const lineCounter = new LineCounter();
  checkYamlDepth(text, file, (line) => {
    throw new InputError(line);
  });
  const docs = parseAllDocuments(text, { lineCounter, prettyErrors: false, uniqueKeys: true, logLevel: 'error' });
  const pos = (offset: number): string => {
    const { line, col } = lineCounter.linePos(offset);
    return `${file}:${line}:${col}`;
  };
  // parseAllDocuments returns an EmptyStream (no documents) for an empty file
  const list: Document[] = Array.isArray(docs) ? docs : [];
  const out: ManifestObject[] = [];
  list.forEach((doc, i) => {
    const number = i + 1;
    const raw = documentValue(doc, text, pos);
    if (raw === null || raw === undefined) return;
    const at = (base: readonly PathSegment[]) => ({
      where: (path: readonly PathSegment[], a: 'key' | 'value') => pos(offsetOf(doc, [...base, ...path], a)),
      offset: (path: readonly PathSegment[], a: 'key' | 'value') => offsetOf(doc, [...base, ...path], a),
    });
    const start = pos(doc.contents?.range?.[0] ?? 0);
    if (!isMapping(raw)) throw new InputError(`${start}: document ${number}: expected a Kubernetes object (apiVersion, kind, metadata, ...), got ${describeValue(raw)}`);
    // `kubectl get ... -o yaml` prints a List (kind List, or <Kind>List) of the objects
    if (typeof raw.kind === 'string' && /List$/.test(raw.kind) && Array.isArray(raw.items)) {
      raw.items.forEach((item, j) => {
        const base: PathSegment[] = ['items', j];
        if (!isMapping(item)) throw new InputError(`${at(base).where([], 'value')}: ${manifestObjectName({ document: number, base })}: expected a Kubernetes object (apiVersion, kind, metadata, ...), got ${describeValue(item)}`);
        out.push({ value: item, document: number, base, ...at(base) });
      });
      return;
    }
    out.push({ value: raw, document: number, base: [], ...at([]) });
  });
  return out;
}

/** True when `raw` (a parsed document) looks like a Kubernetes object: `apiVersion` and `kind`. */
export function isKubernetesObject(raw: unknown): boolean {
  return isMapping(raw) && typeof raw.apiVersion === 'string' && typeof raw.kind === 'string';
}
