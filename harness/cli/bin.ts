#!/usr/bin/env node
import { main } from './main.js';
import { processIO } from './io.js';
import { installSignalHandlers } from './signals.js';

installSignalHandlers();

main(process.argv.slice(2), processIO()).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    // A thrown error is a bug in Porter, not bad input: say so, with the stack for the report.
    process.stderr.write(`porter: internal error (please report it): ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 70;
  },
);
