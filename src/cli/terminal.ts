/**
 * No escape sequence from a scenario, a manifest, a snapshot or a trace reaches the terminal raw:
 * a workload, expectation or scenario name holding ESC [2J (clear the screen), an OSC title
 * sequence, a carriage return that overwrites "FAIL" with "PASS", or a bidi override, is shown as
 * text (`\u001b[2J`, `\u000d`, `\u202e`).
 *
 * The CLI's stdout and stderr are filtered once (`escapeTerminalOutput`, installed by main.ts for
 * every offline command) rather than at each of the many places that print a name: every
 * human-readable line is covered, including messages that quote user keys. The escape is JSON's
 * own `\uXXXX`, so `--json` output stays valid JSON with the same values (JSON.stringify leaves
 * DEL, C1 controls and bidi overrides raw; the filter writes them as JSON escapes). Newlines and
 * tabs pass. Slipway's own progress bars write through `rawStream`.
 */

// C0 controls but \t and \n, DEL, C1 controls, and the bidi embedding/override/isolate marks.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/** `text` with every control character written as a `\uXXXX` escape. */
export function escapeControls(text: string): string {
  CONTROL.lastIndex = 0;
  if (!CONTROL.test(text)) return text;
  CONTROL.lastIndex = 0;
  return text.replace(CONTROL, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

type Write = NodeJS.WriteStream['write'];
const originals = new Map<NodeJS.WriteStream, Write>();

/** Filters every string written to stdout and stderr through `escapeControls` (once per process). */
export function escapeTerminalOutput(streams: readonly NodeJS.WriteStream[] = [process.stdout, process.stderr]): void {
  for (const stream of streams) {
    if (originals.has(stream)) continue;
    const write = stream.write.bind(stream) as Write;
    originals.set(stream, write);
    stream.write = ((chunk: unknown, ...rest: unknown[]) =>
      (write as (c: unknown, ...r: unknown[]) => boolean)(typeof chunk === 'string' ? escapeControls(chunk) : chunk, ...rest)) as Write;
  }
}

/**
 * `stream` with its unfiltered `write`, for Slipway's own terminal control (cli-progress bars,
 * `\r` progress lines). Everything else (isTTY, columns, events) is the stream's.
 */
export function rawStream(stream: NodeJS.WriteStream): NodeJS.WriteStream {
  const write = originals.get(stream);
  if (write === undefined) return stream;
  return new Proxy(stream, {
    get(target, prop) {
      if (prop === 'write') return write;
      const v = Reflect.get(target, prop, target) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}
