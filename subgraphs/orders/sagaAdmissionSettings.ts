import { decimal, integer } from '../../platform/settings/setting';
import { settingsGroup } from '../../platform/settings/settingsGroup';

/** placeOrder's admission control (SagaAdmission.ts, domain/admissionLimit.ts). */
export const sagaAdmissionSettings = settingsGroup(
  'sagaAdmission',
  ['orders'],
  {
    SAGA_MAX_DRAIN_SECONDS: decimal({
      default: 60,
      min: 0,
      max: 3_600,
      description:
        "placeOrder refuses an order only when the orders waiting would take longer than this to finish at the saga's rate; `0` never refuses",
    }),
    SAGA_ADMISSION_BURST: integer({
      default: 500,
      min: 1,
      max: 1_000_000,
      description: 'unfinished orders always taken, however slowly the saga finishes them',
    }),
    SAGA_ADMISSION_SAMPLE_MS: integer({
      default: 100,
      min: 10,
      max: 60_000,
      description:
        "how often each orders replica reads the saga's backlog and rate (one statement on two partial indexes)",
    }),
  },
  (s) => ({
    sagaAdmission: {
      maxDrainSeconds: s.SAGA_MAX_DRAIN_SECONDS,
      burst: s.SAGA_ADMISSION_BURST,
      sampleMs: s.SAGA_ADMISSION_SAMPLE_MS,
    },
  }),
);
