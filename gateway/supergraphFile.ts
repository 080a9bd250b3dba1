import { watch, type FSWatcher } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { SupergraphSdlHook } from '@apollo/gateway';
import type { Logger } from '../platform/logger';

/**
 * Serves the supergraph composed at build time from a file and reloads it
 * when the file changes (a new deploy, a ConfigMap update). A file that does
 * not compose keeps the gateway on the schema it has: the gateway refuses the
 * update and logs it.
 */
export function supergraphFromFile(file: string, log: Logger): SupergraphSdlHook {
  return async ({ update }) => {
    let current = await readFile(file, 'utf8');
    let watcher: FSWatcher | undefined;
    let timer: NodeJS.Timeout | undefined;

    const reload = async () => {
      try {
        const next = await readFile(file, 'utf8');
        if (next === current || next.trim() === '') return;
        update(next);
        current = next;
        log.info({ file }, 'supergraph reloaded');
      } catch (error) {
        log.error({ err: error, file }, 'supergraph reload refused');
      }
    };
    // Watch the folder, not the file: editors and ConfigMaps replace the file by rename.
    watcher = watch(path.dirname(file), (_event, name) => {
      if (name !== path.basename(file)) return;
      clearTimeout(timer);
      timer = setTimeout(() => void reload(), 100);
    });

    return {
      supergraphSdl: current,
      cleanup: async () => {
        clearTimeout(timer);
        watcher?.close();
        watcher = undefined;
      },
    };
  };
}
