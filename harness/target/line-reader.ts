/**
 * Splits a byte stream into lines without ever holding more than `maxBytes` of one line.
 *
 * Scans Buffers for `\n` directly (no string decoding of partial data, no readline): in the
 * common case a chunk holds exactly one whole response line and is decoded once. A line longer
 * than `maxBytes` is reported through `onOverflow` as soon as the limit is crossed — not when
 * its newline finally arrives, which might be never — and its remaining bytes are discarded.
 * Either callback may return `false` to stop reading (the owner is about to kill the process).
 */
export class LineReader {
  private parts: Buffer[] = [];
  private size = 0;
  private discarding = false;
  private stopped = false;

  constructor(
    private readonly maxBytes: number,
    private readonly onLine: (line: string) => boolean,
    private readonly onOverflow: (bytesSeen: number) => boolean,
  ) {}

  stop(): void {
    this.stopped = true;
    this.parts = [];
    this.size = 0;
  }

  push(chunk: Buffer): void {
    let start = 0;
    while (!this.stopped) {
      const nl = chunk.indexOf(10, start);
      if (nl === -1) {
        this.keepPartial(chunk, start);
        return;
      }
      if (this.discarding) {
        this.discarding = false;
        start = nl + 1;
        continue;
      }
      const lineBytes = this.size + (nl - start);
      if (lineBytes > this.maxBytes) {
        this.parts = [];
        this.size = 0;
        if (!this.onOverflow(lineBytes)) return;
        start = nl + 1;
        continue;
      }
      let line: string;
      if (this.size === 0) {
        line = chunk.toString('utf8', start, nl);
      } else {
        this.parts.push(chunk.subarray(start, nl));
        line = Buffer.concat(this.parts, lineBytes).toString('utf8');
        this.parts = [];
        this.size = 0;
      }
      // Tolerate CRLF from adapters on platforms that translate newlines.
      if (line.length > 0 && line.charCodeAt(line.length - 1) === 13) line = line.slice(0, -1);
      if (!this.onLine(line)) return;
      start = nl + 1;
    }
  }

  private keepPartial(chunk: Buffer, start: number): void {
    const len = chunk.length - start;
    if (len === 0 || this.discarding) return;
    if (this.size + len > this.maxBytes) {
      const seen = this.size + len;
      this.parts = [];
      this.size = 0;
      this.discarding = true;
      this.onOverflow(seen);
      return;
    }
    this.parts.push(start === 0 ? chunk : chunk.subarray(start));
    this.size += len;
  }
}
