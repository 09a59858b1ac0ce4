/**
 * A cluster file: where each node of a scenario lives on a live backend, so a scenario written for
 * the simulator runs live unchanged (`slipway run FILE --backend docker --cluster engines.yaml`).
 *
 *   nodes:
 *     node-1: {docker: {host: unix:///run/slipway/e1.sock, network: none}}
 *     node-2: {oci: {runtime: runc, root: /run/slipway/oci-2, rootfs: /var/lib/slipway/rootfs}}
 *     "*":    {docker: {host: unix:///run/slipway/e2.sock, network: none}}   # every other node
 *
 * Several nodes may name the same engine: each node sees only the containers labelled with its name.
 */
import { isMap, isScalar, LineCounter, parseDocument, type Node as YamlNode } from 'yaml';
import { checkYamlDepth } from '../scenario/yaml-depth.js';
import { InputError } from '../core/errors.js';
import { didYouMean } from '../core/suggest.js';
import { readInputFile } from './input-file.js';
import type { NodeEndpoint, Scenario } from '../scenario/types.js';

export type ClusterFile = ReadonlyMap<string, NodeEndpoint>;

const FIELDS = {
  docker: { required: ['host'], optional: ['network', 'pidFile'] },
  oci: { required: ['root'], optional: ['runtime', 'rootfs', 'exportFrom', 'bundles'] },
} as const;

export function readCluster(file: string): ClusterFile {
  const text = readInputFile(file);
  checkYamlDepth(text, file, (line) => {
    throw new InputError(line);
  });
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc });
  const at = (n: YamlNode | null | undefined) => {
    const off = (n as { range?: [number, number] } | null | undefined)?.range?.[0] ?? 0;
    const p = lc.linePos(off);
    return `${file}:${p.line}:${p.col}`;
  };
  if (doc.errors.length > 0) throw new InputError(`${file}: not YAML: ${doc.errors[0].message.split('\n')[0]}`);
  const nodes = isMap(doc.contents) ? doc.contents.get('nodes', true) : undefined;
  if (!isMap(nodes)) throw new InputError(`${at(doc.contents as YamlNode)}: expected a mapping with nodes: {<node name>: {docker: {...}} or {oci: {...}}}`);
  const out = new Map<string, NodeEndpoint>();
  for (const pair of nodes.items) {
    const name = isScalar(pair.key) ? String(pair.key.value) : '';
    const v = pair.value as YamlNode | null;
    if (!isMap(v) || v.items.length !== 1) throw new InputError(`${at(v ?? (pair.key as YamlNode))}: nodes.${name}: expected exactly one of docker or oci`);
    const kindKey = v.items[0].key;
    const kind = isScalar(kindKey) ? String(kindKey.value) : '';
    if (kind !== 'docker' && kind !== 'oci') throw new InputError(`${at(kindKey as YamlNode)}: nodes.${name}: unknown backend "${kind}"${didYouMean(kind, ['docker', 'oci'])} (docker or oci)`);
    const body = v.items[0].value as YamlNode | null;
    if (!isMap(body)) throw new InputError(`${at(body ?? (kindKey as YamlNode))}: nodes.${name}.${kind}: expected a mapping`);
    const fields: Record<string, string> = {};
    const known: readonly string[] = [...FIELDS[kind].required, ...FIELDS[kind].optional];
    for (const f of body.items) {
      const key = isScalar(f.key) ? String(f.key.value) : '';
      if (!known.includes(key)) throw new InputError(`${at(f.key as YamlNode)}: nodes.${name}.${kind}: unknown key "${key}"${didYouMean(key, known)} (known: ${known.join(', ')})`);
      if (!isScalar(f.value) || typeof f.value.value !== 'string' || f.value.value === '')
        throw new InputError(`${at((f.value ?? f.key) as YamlNode)}: nodes.${name}.${kind}.${key}: expected a non-empty string`);
      fields[key] = f.value.value;
    }
    for (const r of FIELDS[kind].required)
      if (fields[r] === undefined) throw new InputError(`${at(body)}: nodes.${name}.${kind}: missing required key "${r}"`);
    if (kind === 'oci' && (fields.rootfs === undefined) === (fields.exportFrom === undefined))
      throw new InputError(`${at(body)}: nodes.${name}.oci: give either rootfs (a directory) or exportFrom (a Docker engine)`);
    out.set(
      name,
      kind === 'docker'
        ? { kind, host: fields.host, ...(fields.network ? { network: fields.network } : {}), ...(fields.pidFile ? { pidFile: fields.pidFile } : {}) }
        : {
            kind,
            runtime: fields.runtime ?? 'youki',
            root: fields.root,
            ...(fields.rootfs ? { rootfs: fields.rootfs } : {}),
            ...(fields.exportFrom ? { exportFrom: fields.exportFrom } : {}),
            ...(fields.bundles ? { bundles: fields.bundles } : {}),
          },
    );
  }
  return out;
}

/** The scenario with each node's endpoint taken from the cluster file (its own name, else `*`). */
export function withCluster(scenario: Scenario, cluster: ClusterFile, file: string): Scenario {
  const nodes = scenario.nodes.map((n) => {
    const e = cluster.get(n.name) ?? cluster.get('*');
    if (e === undefined) throw new InputError(`${file}: no endpoint for node ${n.name} (add it, or a "*" entry)`);
    return { ...n, endpoint: e };
  });
  return { ...scenario, nodes };
}
