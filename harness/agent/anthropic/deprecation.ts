import type Anthropic from '@anthropic-ai/sdk';

/**
 * The SDK prints "The model 'x' is deprecated and will reach end-of-life on ..." with
 * `console.warn` on every request for a model it lists as deprecated: hundreds of times in a
 * night run, between Porter's own progress lines. Porter says it once per model and run instead.
 *
 * The SDK has no option for this (its `logger` is not used for it), so `console.warn` is
 * intercepted — only for the synchronous part of `messages.create`, where the SDK checks the
 * model before any I/O starts, and only for that message: every other warning passes through.
 */

const SDK_DEPRECATION = /^The model '([^']+)' is deprecated and will reach end-of-life on ([^\n]+)/;

export function warnDeprecatedModelOnce(client: Anthropic, warn: (line: string) => void = stderrWarning): void {
  const messages = client.messages;
  const create = messages.create.bind(messages) as (...args: unknown[]) => unknown;
  const warned = new Set<string>();
  const quiet = (...args: unknown[]): unknown => {
    const original = console.warn;
    console.warn = (...parts: unknown[]) => {
      const m = typeof parts[0] === 'string' ? SDK_DEPRECATION.exec(parts[0]) : null;
      if (!m) return original.apply(console, parts);
      if (warned.has(m[1]!)) return;
      warned.add(m[1]!);
      warn(`model ${m[1]} is deprecated and reaches end-of-life on ${m[2]!.trim()}; choose a newer one (agent.model, or --model)`);
    };
    try {
      return create(...args);
    } finally {
      console.warn = original;
    }
  };
  messages.create = quiet as typeof messages.create;
}

function stderrWarning(line: string): void {
  process.stderr.write(`warning: ${line}\n`);
}
