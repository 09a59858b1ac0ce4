import type { IdSource } from '../core/interfaces.js';
import type { RandomStream } from './random.js';

/** Readable unique ids (`web-3f9a1`) drawn from a seeded stream; a collision draws again. */
export class SeededIds implements IdSource {
  private readonly used = new Set<string>();
  constructor(private readonly stream: RandomStream, private readonly width = 5) {}

  next(prefix: string): string {
    for (;;) {
      const id = `${prefix}-${this.stream.hex(this.width)}`;
      if (!this.used.has(id)) {
        this.used.add(id);
        return id;
      }
    }
  }
}
