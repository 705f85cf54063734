// Which file called into ./testing: so that `defineScenarioTests('./x.scenario.json')` means the file beside the
// test, as an import would, and not whatever directory the test runner was started from.
import { fileURLToPath } from 'node:url';
import { isAbsolute } from 'node:path';

/**
 * The path of the file that called `fn` (the first stack frame outside it), or undefined when the runtime does not
 * say (an eval, a stack without file names). Reads V8's structured call sites, never parses the stack text.
 */
export function callerFile(fn: Function): string | undefined {
  const holder: { stack?: unknown } = {};
  const prepare = Error.prepareStackTrace;
  const limit = Error.stackTraceLimit;
  try {
    Error.stackTraceLimit = 1;
    Error.prepareStackTrace = (_e, sites) => sites;
    Error.captureStackTrace(holder, fn);
    const sites = holder.stack as NodeJS.CallSite[] | undefined;
    const name = Array.isArray(sites) ? sites[0]?.getFileName() : undefined;
    if (typeof name !== 'string' || name === '') return undefined;
    if (name.startsWith('file:')) return fileURLToPath(name);
    return isAbsolute(name) ? name : undefined;
  } catch {
    return undefined;
  } finally {
    Error.prepareStackTrace = prepare;
    Error.stackTraceLimit = limit;
  }
}
