import http from 'node:http';
import type { ManagedProcess } from './managedProcess';
import { describeExit } from './supervisor';

const READY_TIMEOUT_MS = 60_000;

/** Polls GET /ready until it answers 200; a child that exits meanwhile fails at once. */
export async function waitForReady(child: ManagedProcess, port: number, timeoutMs = READY_TIMEOUT_MS): Promise<void> {
  const url = `http://127.0.0.1:${port}/ready`;
  const deadline = Date.now() + timeoutMs;
  let lastAnswer = 'no answer';
  while (Date.now() < deadline) {
    if (!child.running) {
      throw new Error(
        `${child.name} exited (${describeExit(await child.exited)}) before it was ready; its log is above`,
      );
    }
    lastAnswer = await getStatus(url);
    if (lastAnswer === '200') return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${child.name} did not get ready within ${timeoutMs / 1000} s (GET ${url}: ${lastAnswer})`);
}

/**
 * One GET without keep-alive (unlike fetch): a probe must not leave idle connections
 * that the service would have to wait for when it stops.
 */
function getStatus(url: string): Promise<string> {
  return new Promise((resolve) => {
    const request = http.get(url, { agent: false, timeout: 2_000 }, (response) => {
      response.resume();
      resolve(String(response.statusCode));
    });
    request.on('timeout', () => request.destroy(new Error('timeout')));
    request.on('error', (error) => resolve(`no answer (${error.message})`));
  });
}
