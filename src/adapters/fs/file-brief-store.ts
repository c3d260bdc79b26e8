import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { BriefStore, StoredBrief } from "../../ports/brief-store.ts";

const stamp = (ms: number): string => new Date(ms).toISOString().replace(/[-:]/g, "").slice(0, 15);
const NAME = /^brief-\d{8}T\d{6}\.json$/;

/**
 * Briefs as JSON files in <home>/briefs, named by their asOf so the newest sorts last. `accept`
 * checks a stored document's shape: an unreadable or older-format brief is skipped, never a reason
 * to refuse today's.
 */
export class FileBriefStore<B extends StoredBrief> implements BriefStore<B> {
  private readonly dir: string;
  private readonly accept: (x: unknown) => x is B;

  constructor(home: string, accept: (x: unknown) => x is B) {
    this.dir = join(home, "briefs");
    this.accept = accept;
  }

  private files(): string[] {
    try {
      return readdirSync(this.dir)
        .filter((f) => NAME.test(f))
        .sort();
    } catch {
      // no briefs folder yet: no stored brief
      return [];
    }
  }

  latest(atOrBefore?: number): B | undefined {
    const limit = atOrBefore === undefined ? undefined : `brief-${stamp(atOrBefore)}.json`;
    const names = this.files().filter((x) => limit === undefined || x <= limit);
    for (let k = names.length - 1; k >= 0; k--) {
      try {
        const b: unknown = JSON.parse(readFileSync(join(this.dir, names[k]!), "utf8"));
        if (this.accept(b)) return b;
      } catch {
        // a torn or foreign file: try the one before
      }
    }
    return undefined;
  }

  save(brief: B): void {
    mkdirSync(this.dir, { recursive: true });
    const path = join(this.dir, `brief-${stamp(brief.asOf)}.json`);
    const tmp = `${path}.${process.pid}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(brief)}\n`);
    renameSync(tmp, path);
  }
}
