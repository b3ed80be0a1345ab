/** The last `capacity` bytes a process wrote to stderr: enough to explain a crash, bounded whatever it prints. */
export class StderrTail {
  private buf: Buffer = Buffer.alloc(0);

  constructor(private readonly capacity = 4096) {}

  push(chunk: Buffer): void {
    if (chunk.length >= this.capacity) {
      // Copy so the tail does not pin a large chunk in memory.
      this.buf = Buffer.from(chunk.subarray(chunk.length - this.capacity));
      return;
    }
    const keep = Math.min(this.buf.length, this.capacity - chunk.length);
    this.buf = Buffer.concat([this.buf.subarray(this.buf.length - keep), chunk]);
  }

  text(): string {
    return this.buf.toString('utf8');
  }
}

/** The last non-empty lines of a stderr tail on one line, for one-line messages. */
export function lastLines(tail: string, count = 3, maxChars = 300): string {
  const lines = tail
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.length > 0);
  const text = lines.slice(-count).join(' | ');
  return text.length > maxChars ? '…' + text.slice(text.length - maxChars) : text;
}
