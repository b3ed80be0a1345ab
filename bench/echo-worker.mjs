// The trivial stdio target of the benchmark: answers each request line with its input body.
// Written as a fast adapter would be (scan Buffers for '\n', one write per answer) so that the
// benchmark measures the harness, not the worker.
let pending = [];
process.stdin.on('data', (chunk) => {
  let start = 0;
  let nl;
  while ((nl = chunk.indexOf(10, start)) !== -1) {
    let line;
    if (pending.length === 0) {
      line = chunk.toString('utf8', start, nl);
    } else {
      pending.push(chunk.subarray(start, nl));
      line = Buffer.concat(pending).toString('utf8');
      pending = [];
    }
    const req = JSON.parse(line);
    process.stdout.write(JSON.stringify({ id: req.id, output: req.input === null ? '' : req.input.body }) + '\n');
    start = nl + 1;
  }
  if (start < chunk.length) pending.push(chunk.subarray(start));
});
