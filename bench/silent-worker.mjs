// A stdio target that fails everything: it answers every request with no output at all, or with
// `--error`, with the same error for every case. It stands for a port that does not exist yet.
import readline from 'node:readline';

const error = process.argv.includes('--error');
for await (const line of readline.createInterface({ input: process.stdin })) {
  const { id } = JSON.parse(line);
  const answer = error
    ? { id, output: '!!!ERROR!!!\n\nnot implemented\n', error: { kind: 'NotImplemented', message: 'not implemented' } }
    : { id, output: '' };
  process.stdout.write(`${JSON.stringify(answer)}\n`);
}
