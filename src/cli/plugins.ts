/**
 * `--plugin FILE`: loads a user's scheduler plugin. The file (TypeScript or JavaScript, ESM)
 * exports `name` (the plugin's name, used in profiles) and `create(args)` returning a Plugin
 * (see src/scheduler/framework/types.ts). Loaded before scenarios or snapshots are read, into a
 * new registry value that the command hands to the loader and the scheduler, so profiles can name
 * it; nothing global changes.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { tsImport } from 'tsx/esm/api';
import { InputError } from '../core/errors.js';
import { BUILT_IN_PLUGINS, type PluginRegistry } from '../scheduler/plugins/registry.js';

/** `base` plus the plugin of each file, in order. Bad files are InputErrors naming the file. */
export async function loadPlugins(files: readonly string[] = [], base: PluginRegistry = BUILT_IN_PLUGINS): Promise<PluginRegistry> {
  let registry = base;
  for (const file of files) {
    let mod: Record<string, unknown>;
    try {
      // tsImport loads the file as ESM whatever package (or none) it sits in: a plain `import`
      // would let tsx treat a .ts/.js outside a "type": "module" package as CommonJS, and
      // require() of the ESM plugin then fails. Relative imports of the plugin resolve as usual.
      mod = (await tsImport(pathToFileURL(resolve(file)).href, import.meta.url)) as Record<string, unknown>;
    } catch (e) {
      if (!existsSync(file)) throw new InputError(`--plugin ${file}: cannot load: no such file`);
      throw new InputError(loadFailure(file, e as Error));
    }
    const { name, create } = mod;
    if (typeof name !== 'string' || !/^[A-Za-z][A-Za-z0-9]*$/.test(name) || typeof create !== 'function') {
      throw new InputError(`--plugin ${file}: a plugin file exports \`name\` (a name such as MyPlugin) and \`create(args)\` returning a plugin`);
    }
    try {
      registry = registry.with(name, create as (args: unknown) => never);
    } catch (e) {
      throw new InputError(`--plugin ${file}: ${(e as Error).message}`);
    }
  }
  return registry;
}

/**
 * One line for a plugin that fails to load. esbuild's transform errors put the location on the
 * line after "Transform failed with N error(s):" as `FILE:LINE:COL: ERROR: message`; that line
 * is moved to the front (`FILE:LINE:COL: --plugin F: cannot load: message`). The location may
 * name a file the plugin imports. Anything else: the first line of the message.
 */
export function loadFailure(file: string, err: Error): string {
  const lines = String(err.message).split('\n');
  const at = /^Transform failed with \d+ errors?:$/.test(lines[0]) ? /^(.+:\d+:\d+): (?:ERROR: )?(.*)$/.exec(lines[1] ?? '') : null;
  if (at) return `${at[1]}: --plugin ${file}: cannot load: ${at[2]}`;
  return `--plugin ${file}: cannot load: ${lines[0]}`;
}
