/**
 * `--plugin FILE...` → the plugin registry a command hands to the loader and the scheduler.
 * tsx (esbuild) is imported only when there are plugin files.
 */
import { BUILT_IN_PLUGINS, type PluginRegistry } from '../scheduler/plugins/registry.js';

/** The built-in plugins plus each file's (bad files: InputError naming the file). */
export async function pluginsOf(files: readonly string[] | undefined): Promise<PluginRegistry> {
  return files?.length ? (await import('./plugins.js')).loadPlugins(files) : BUILT_IN_PLUGINS;
}
