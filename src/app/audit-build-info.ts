/**
 * What every decision record names about the code and the settings behind it: kairos's version
 * and git commit, and the hash of the risk limits in force. The commit comes from KAIROS_GIT_SHA
 * (set by whoever builds a release), else from the checkout's .git (HEAD, a loose ref or
 * packed-refs); an install without either says "unknown" and why, never a guess.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { AuditMeta } from "./audit-order-store.ts";
import { loadRiskLimits } from "./risk-limits.ts";

/** The package root: the nearest folder above this file holding kairos's package.json */
function packageRoot(): string | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const p = join(dir, "package.json");
    if (existsSync(p))
      try {
        if ((JSON.parse(readFileSync(p, "utf8")) as { name?: string }).name === "kairos") return dir;
      } catch {
        /* not ours: keep looking up */
      }
    dir = dirname(dir);
  }
  return undefined;
}

/** The commit checked out at `root`, read from .git without running git */
export function gitShaAt(root: string): string | undefined {
  const git = join(root, ".git");
  try {
    const head = readFileSync(join(git, "HEAD"), "utf8").trim();
    if (/^[0-9a-f]{40}$/.test(head)) return head;
    const ref = /^ref: (.+)$/.exec(head)?.[1];
    if (ref === undefined) return undefined;
    const loose = join(git, ref);
    if (existsSync(loose)) return readFileSync(loose, "utf8").trim();
    for (const line of readFileSync(join(git, "packed-refs"), "utf8").split("\n")) {
      const [sha, name] = line.split(" ");
      if (name === ref && sha !== undefined && /^[0-9a-f]{40}$/.test(sha)) return sha;
    }
  } catch {
    return undefined; // no checkout (an npm install): reported as unknown
  }
  return undefined;
}

let cached: { version: string; gitSha: string } | undefined;

export function buildInfo(env: NodeJS.ProcessEnv = process.env): { version: string; gitSha: string } {
  if (cached !== undefined) return cached;
  const root = packageRoot();
  let version = "unknown (package.json not found)";
  if (root !== undefined)
    try {
      version = (JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string }).version;
    } catch {
      /* keeps the honest unknown */
    }
  const fromEnv = env.KAIROS_GIT_SHA;
  const gitSha =
    fromEnv !== undefined && /^[0-9a-f]{7,40}$/.test(fromEnv)
      ? fromEnv
      : ((root === undefined ? undefined : gitShaAt(root)) ??
        "unknown (no .git checkout and KAIROS_GIT_SHA not set at build)");
  cached = { version, gitSha };
  return cached;
}

/** The metadata the audited order store stamps on every decision, for one home */
export function auditMeta(home: string): AuditMeta {
  const b = buildInfo();
  return {
    version: b.version,
    gitSha: b.gitSha,
    limitsHash: () => {
      const l = loadRiskLimits(home);
      return l.ok ? l.hash : null;
    },
  };
}
