// Bounds the records and bytes accepted but not yet acknowledged, so memory stays bounded under overload and
// receivers can refuse with a retry hint instead of buffering without end.
export class InflightLimiter {
  #records = 0;
  #bytes = 0;

  constructor(
    private readonly maxRecords: number,
    private readonly maxBytes: number,
  ) {}

  /** True when admitted. A single request above a bound is admitted only when nothing else is in flight,
   *  so an oversized-but-valid request is slow rather than refused forever. */
  tryAcquire(records: number, bytes: number): boolean {
    const idle = this.#records === 0 && this.#bytes === 0;
    if (!idle && (this.#records + records > this.maxRecords || this.#bytes + bytes > this.maxBytes)) return false;
    this.#records += records;
    this.#bytes += bytes;
    return true;
  }

  release(records: number, bytes: number): void {
    this.#records -= records;
    this.#bytes -= bytes;
  }

  get records(): number {
    return this.#records;
  }
}
