import { invalidArgument } from '../../../core/errors.js';
import { cancelled } from '../../../core/errors.js';
import { readJsonBody, sendJson } from '../../http.js';
import type { Route } from '../../route.js';

const MAX_SLEEP_MS = 60_000;

/**
 * Test hooks, mounted only when the daemon runs with BERTH_TEST_HOOKS=1: a job that takes as
 * long as asked, so tests can prove that a shutdown waits for jobs in flight.
 */
export function debugRoutes(): Route[] {
  return [
    {
      methods: ['POST'],
      path: '/berth/debug/sleep',
      job: 'debug.sleep',
      handle: async ({ req, res, job }) => {
        const body = await readJsonBody(req);
        if (typeof body !== 'object' || body === null || Array.isArray(body)) {
          throw invalidArgument('the request body must be a JSON object');
        }
        const ms = (body as Record<string, unknown>)['Milliseconds'];
        if (typeof ms !== 'number' || !Number.isInteger(ms) || ms < 0 || ms > MAX_SLEEP_MS) {
          throw invalidArgument(
            `field "Milliseconds" must be an integer between 0 and ${MAX_SLEEP_MS}`,
          );
        }
        job.log(`sleeping ${ms} ms`);
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(resolve, ms);
          job.signal.addEventListener('abort', () => {
            clearTimeout(timer);
            reject(cancelled());
          });
        });
        sendJson(res, 200, { Slept: ms });
      },
    },
  ];
}
