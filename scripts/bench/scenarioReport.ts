import { OFFER_CONNECTIONS } from './orderOffer';
import type { SagaScenarios } from './sagaScenarios';
import type { SteadyResult } from './steadyWithPolling';

/** `12 HTTP 200 SERVICE_UNAVAILABLE saga_backlog: ...; 1 ...`, or `none`. */
export function causes(counts: Record<string, number>): string {
  const entries = Object.entries(counts);
  return entries.length > 0 ? entries.map(([cause, n]) => `${n} ${cause}`).join('; ') : 'none';
}

/** The saga scenarios of latest.md: a paragraph each, the steady runs and the ramp's timeline as tables. */
export function renderSagaScenarios(scenarios: SagaScenarios): string[] {
  const { flash_sale: flash, ramp } = scenarios;
  const firstRefusal = ramp.first_refusal
    ? `first refusal at ${ramp.first_refusal.at_s} s with a backlog of ${ramp.first_refusal.backlog ?? '?'} (drain ${ramp.first_refusal.drain_seconds ?? '?'} s at ${ramp.first_refusal.finished_per_second ?? '?'} finished/s, limit ${ramp.first_refusal.admission_limit ?? '?'})`
    : 'no refusal';
  const refusedBy =
    ramp.refused > 0
      ? `; ${ramp.refused_by_orders_service} of them by the orders service, the others by the gateway's adaptive throttle with its answer`
      : '';
  const drained =
    ramp.drained_after_s === null
      ? `${ramp.unfinished} accepted orders had not ended`
      : `the backlog drained ${ramp.drained_after_s} s after the offer stopped`;
  return [
    '',
    '## Saga scenarios (through our gateway)',
    '',
    `Flash sale: ${flash.customers} customers each place one order at the same moment: ${flash.accepted} accepted, ${flash.refused} refused (${causes(flash.refusals)}); all accepted within ${flash.all_accepted_ms} ms, all ended within ${flash.all_ended_ms} ms (${flash.paid} PAID, ${flash.rejected} REJECTED, ${flash.unfinished} unfinished); placeOrder -> PAID p50 ${flash.p50_ms} ms, p99 ${flash.p99_ms} ms.`,
    '',
    'Steady rate, each customer following its latest order (`OrderById`) while the orders come:',
    '',
    '| orders/s offered | customers | polling every | accepted | refused | completed/s | p50 ms | p99 ms | unfinished | reads/s | read errors | read p50 / p99 ms |',
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    steadyRow(scenarios.steady),
    steadyRow(scenarios.steady_fast_polling),
    ...readErrors(scenarios.steady, scenarios.steady_fast_polling),
    '',
    `Ramp (its own services, SAGA_MAX_DRAIN_SECONDS=${ramp.max_drain_seconds}${Object.entries(ramp.services_env)
      .map(([name, value]) => `, ${name}=${value}`)
      .join(
        '',
      )}): ${ramp.steps.map((s) => `${s.ratePerSecond}/s for ${s.seconds} s`).join(', ')}: ${ramp.offered} offered, ${ramp.accepted} accepted, ${ramp.refused} refused (${causes(ramp.refusals)}${refusedBy}); ${firstRefusal}; peak backlog ${ramp.peak_backlog}; ${drained}; ${ramp.ended} of the ${ramp.accepted} accepted ended (${ramp.paid} PAID, ${ramp.rejected} REJECTED), ${ramp.placed_in_database} orders in the database; placeOrder -> PAID p50 ${ramp.p50_ms} ms, p99 ${ramp.p99_ms} ms.`,
    '',
    `By slice: orders by the time they were sent, PAID ones by the time they were PAID; at its end, placeOrder calls sent and not answered yet (in flight; beyond ${OFFER_CONNECTIONS} they wait for a connection in the bench) and the orders service's gauges (drain \`?\`: no finishing rate known yet).`,
    '',
    '| s | step orders/s | offered/s | accepted/s | refused/s | completed/s | p99 ms | in flight | backlog | drain s | admission limit |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...ramp.timeline.map(
      (s) =>
        `| ${s.from_s}–${s.to_s} | ${s.step_per_s} | ${s.offered_per_s} | ${s.accepted_per_s} | ${s.refused_per_s} | ${s.completed_per_s} | ${s.p99_ms} | ${s.in_flight} | ${s.backlog ?? ''} | ${s.drain_seconds ?? '?'} | ${s.admission_limit ?? ''} |`,
    ),
  ];
}

function steadyRow(run: SteadyResult): string {
  return `| ${run.offered_per_s} | ${run.customers} | ${run.poll_interval_ms} ms | ${run.accepted} | ${run.refused} | ${run.completed_per_s} | ${run.p50_ms} | ${run.p99_ms} | ${run.unfinished} | ${run.reads_per_s} | ${run.read_errors} | ${run.read_p50_ms} / ${run.read_p99_ms} |`;
}

function readErrors(...runs: SteadyResult[]): string[] {
  const failing = runs.filter((run) => run.read_errors > 0 || run.refused > 0);
  return failing.flatMap((run) => [
    '',
    `Polling every ${run.poll_interval_ms} ms: refusals ${causes(run.refusals)}; read errors ${causes(run.read_errors_by_cause)}.`,
  ]);
}
