import path from 'node:path';
import { flag, text } from '../../platform/settings/setting';
import { settingsGroup } from '../../platform/settings/settingsGroup';

export interface PersistedOperationSettings {
  /** Serve only the operations of the manifest (a safelist); off = any operation, with APQ. */
  only: boolean;
  /** `{ "<sha256 of the text>": "<operation text>" }`, written by `npm run codegen`. */
  manifestPath: string;
}

export const persistedOperationSettings = settingsGroup(
  'persistedOperations',
  ['gateway'],
  {
    PERSISTED_ONLY: flag({ default: false, description: '`true`: serve only the operations of the manifest' }),
    PERSISTED_OPERATIONS_PATH: text({
      default: 'client/generated/persisted-operations.json',
      description: 'the manifest, written by `npm run codegen`',
    }),
  },
  (s): { persistedOperations: PersistedOperationSettings } => ({
    persistedOperations: { only: s.PERSISTED_ONLY, manifestPath: path.resolve(s.PERSISTED_OPERATIONS_PATH) },
  }),
);
