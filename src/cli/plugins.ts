/**
 * `--plugin FILE`: loads a user's scheduler plugin. The file (TypeScript or JavaScript, ESM)
 * exports `name` (the plugin's name, used in profiles) and `create(args)` returning a Plugin
 * (see src/scheduler/framework/types.ts). Loaded once, before scenarios or snapshots are read, so
 * profiles can name it.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { InputError } from '../core/errors.js';
import { registerPlugin } from '../scheduler/plugins/registry.js';

export async function loadPlugins(files: readonly string[] = []): Promise<void> {
  for (const file of files) {
    let mod: Record<string, unknown>;
    try {
      mod = (await import(pathToFileURL(resolve(file)).href)) as Record<string, unknown>;
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      const why = err.code === 'ERR_MODULE_NOT_FOUND' ? 'no such file' : String(err.message).split('\n')[0];
      throw new InputError(`--plugin ${file}: cannot load: ${why}`);
    }
    const { name, create } = mod;
    if (typeof name !== 'string' || !/^[A-Za-z][A-Za-z0-9]*$/.test(name) || typeof create !== 'function') {
      throw new InputError(`--plugin ${file}: a plugin file exports \`name\` (a name such as MyPlugin) and \`create(args)\` returning a plugin`);
    }
    try {
      registerPlugin(name, create as (args: unknown) => never);
    } catch (e) {
      throw new InputError(`--plugin ${file}: ${(e as Error).message}`);
    }
  }
}
