import { z } from 'zod';
import { custom } from '../../platform/settings/setting';
import { settingsGroup } from '../../platform/settings/settingsGroup';

function isOrigin(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'https:' || url.protocol === 'http:') && url.origin === value;
  } catch {
    return false;
  }
}

/** Comma-separated exact origins: scheme, host and port only, as browsers send them in `Origin`. */
const origins = z
  .string()
  .default('')
  .transform((v, ctx) => {
    const list = v
      .split(',')
      .map((o) => o.trim())
      .filter((o) => o !== '');
    const bad = list.find((o) => !isOrigin(o));
    if (bad === undefined) return list;
    ctx.addIssue({ code: 'custom', message: `not an origin like https://shop.example.com: ${bad}` });
    return z.NEVER;
  });

/** Which browser origins may call /graphql (corsPolicy.ts). */
export const corsSettings = settingsGroup(
  'cors',
  ['gateway'],
  {
    CORS_ORIGINS: custom({
      default: '',
      values: 'comma-separated origins',
      invalid: 'https://shop.example.com/path',
      description: 'exact origins (`https://shop.example.com`) browsers may call /graphql from; empty = none',
      schema: origins,
    }),
  },
  (s) => ({ corsOrigins: s.CORS_ORIGINS }),
);
