import { EXIT, type CliIO } from './io.js';
import { porterVersion } from '../util/version.js';

type Command = (argv: string[], io: CliIO) => Promise<number>;

// Each command's module is imported only when it runs: a command's start-up should not pay for
// the others' dependencies (module loading is a measurable part of a `porter test` run).
const COMMANDS: Record<string, { run: Command; summary: string }> = {
  test: {
    run: async (argv, io) => (await import('./test-command.js')).testCommand(argv, io),
    summary: 'run the target against the snapshot suite and judge it',
  },
  list: {
    run: async (argv, io) => (await import('./list-command.js')).listCommand(argv, io),
    summary: 'list the cases per phase with inputs and skip status',
  },
  init: {
    run: async (argv, io) => (await import('./init-command.js')).initCommand(argv, io),
    summary: 'write a starting porter.config.yaml for a source project',
  },
  agent: {
    run: async (argv, io) => (await import('./agent-command.js')).agentCommand(argv, io),
    summary: 'drive a coding agent phase by phase until every case passes',
  },
  worker: {
    run: async (argv, io) => (await import('./worker-command.js')).workerCommand(argv, io),
    summary: 'work for a parallel agent run coordinated on another machine',
  },
  status: {
    run: async (argv, io) => (await import('./agent-command.js')).statusCommand(argv, io),
    summary: 'show the state and stats of the latest agent run',
  },
  sync: {
    run: async (argv, io) => (await import('./sync-command.js')).syncCommand(argv, io),
    summary: 'compare the suite at two source revisions: what changed upstream',
  },
  report: {
    run: async (argv, io) => (await import('./report-command.js')).reportCommand(argv, io),
    summary: 'rebuild reports/latest.md and index.html from the history',
  },
};

function help(): string {
  const names = Object.keys(COMMANDS);
  const width = Math.max(...names.map((n) => n.length));
  return `porter ${porterVersion()}: port a library to another language, with its own snapshot tests as the oracle

Usage: porter <command> [options]

Commands:
${names.map((n) => `  ${n.padEnd(width)}  ${COMMANDS[n]!.summary}`).join('\n')}

Run \`porter <command> --help\` for a command's options; \`porter --version\` prints the version.
`;
}

/** The whole CLI as a function: argv in, exit code out, all I/O through `io`. */
export async function main(argv: string[], io: CliIO): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout(help());
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  if (name === '--version' || name === '-V' || name === '-v' || name === 'version') {
    io.stdout(`${porterVersion()}\n`);
    return EXIT.ok;
  }
  const command = COMMANDS[name];
  if (!command) {
    io.stderr(`porter: unknown command "${name}"; commands: ${Object.keys(COMMANDS).join(', ')}\n`);
    return EXIT.usage;
  }
  return command.run(rest, io);
}

