/**
 * Released Float64Arrays kept by length for the next sweep in the process (a screen, the next
 * symbol): it writes to warm pages instead of faulting in fresh ones and provoking the GC. Arrays
 * come back as they were left, not zeroed (a serial memset of every cached array per sweep):
 * their users write every element.
 */
export class BufferPool {
  private readonly free = new Map<number, Float64Array[]>();
  private bytes = 0;

  constructor(
    /** a new array of n numbers (on the heap, or over a SharedArrayBuffer) */
    private readonly make: (n: number) => Float64Array,
    /** bytes kept at most; beyond it released arrays go to the GC */
    private readonly capBytes = 512 * 1024 * 1024,
  ) {}

  /**
   * An allocator that remembers what it handed out; `release` gives all of it back, only when
   * nothing reads those arrays any more
   */
  lease(): { alloc: (n: number) => Float64Array; release: () => void } {
    const taken: [number, Float64Array][] = [];
    return {
      alloc: (n) => {
        const a = this.free.get(n)?.pop();
        if (a !== undefined) this.bytes -= a.byteLength;
        const out = a ?? this.make(n);
        taken.push([n, out]);
        return out;
      },
      release: () => {
        for (const [n, a] of taken) {
          if (this.bytes + a.byteLength > this.capBytes) break;
          let list = this.free.get(n);
          if (list === undefined) this.free.set(n, (list = []));
          list.push(a);
          this.bytes += a.byteLength;
        }
        taken.length = 0;
      },
    };
  }
}
