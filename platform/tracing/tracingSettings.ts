import { SERVICE_NAMES } from '../serviceNames';
import { decimal, integer, optionalUrl } from '../settings/setting';
import { settingsGroup } from '../settings/settingsGroup';

export interface TracingConfig {
  /** OTLP/HTTP base URL (the exporter posts to `${endpoint}/v1/traces`); unset = tracing off. */
  endpoint?: string;
  /** Share of new traces recorded (parent-based: a caller's decision is kept). */
  sampleRatio: number;
  /** How often the batch processor sends what it collected. */
  exportDelayMs: number;
}

/** OpenTelemetry's own variable names, so an operator's usual settings work. */
export const tracingSettings = settingsGroup(
  'tracing',
  SERVICE_NAMES,
  {
    OTEL_EXPORTER_OTLP_ENDPOINT: optionalUrl({
      description: 'OTLP/HTTP collector (spans go to `<it>/v1/traces`); unset = tracing off',
    }),
    OTEL_TRACES_SAMPLER_ARG: decimal({
      default: 1,
      min: 0,
      max: 1,
      description: "share of new traces recorded (a caller's decision is kept)",
    }),
    OTEL_BSP_SCHEDULE_DELAY: integer({
      default: 5_000,
      min: 1,
      description: 'ms between two exports of the spans collected',
    }),
  },
  (t): TracingConfig => ({
    endpoint: t.OTEL_EXPORTER_OTLP_ENDPOINT?.replace(/\/+$/, ''),
    sampleRatio: t.OTEL_TRACES_SAMPLER_ARG,
    exportDelayMs: t.OTEL_BSP_SCHEDULE_DELAY,
  }),
);
