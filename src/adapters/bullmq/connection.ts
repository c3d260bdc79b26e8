import { Redis } from "ioredis";
import { AppError } from "../../errors.ts";

/** The queue's name in Redis (all kairos runs share it; job ids carry the run) */
export const QUEUE_NAME = "kairos";
/** Blobs (candles, grids) live under this prefix, by SHA-256, for a day after their last publication */
export const BLOB_PREFIX = "kairos:blob:";
export const BLOB_TTL_S = 86_400;

export interface RedisTarget {
  host: string;
  port: number;
  username?: string;
  password?: string;
  db: number;
  /** the URL with any password masked: safe for messages and logs */
  where: string;
}

/** Parses `redis://[user:password@]HOST:PORT[/db]`; one line naming what is wrong otherwise */
export function parseRedisUrl(url: string): RedisTarget {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    // whatever precedes an @ may be a password: never echoed
    throw new AppError(
      "INVALID_INPUT",
      `--queue ${JSON.stringify(url.replace(/^.*@/, "***@"))}: not a URL; use redis://HOST:PORT`,
      {
        details: { field: "queue" },
      },
    );
  }
  const masked = `${u.protocol}//${u.password === "" ? "" : `${u.username === "" ? "" : `${u.username}:`}***@`}${u.host}${u.pathname === "/" ? "" : u.pathname}`;
  if (u.protocol !== "redis:")
    throw new AppError(
      "INVALID_INPUT",
      `--queue ${masked}: use redis://HOST:PORT (${u.protocol} is not supported)`,
      {
        details: { field: "queue" },
      },
    );
  const port = u.port === "" ? 6379 : Number(u.port);
  const db = u.pathname === "" || u.pathname === "/" ? 0 : Number(u.pathname.slice(1));
  if (!(Number.isInteger(db) && db >= 0 && db < 65536))
    throw new AppError(
      "INVALID_INPUT",
      `--queue ${masked}: database ${u.pathname.slice(1)} is not a whole number`,
      {
        details: { field: "queue" },
      },
    );
  return {
    host: u.hostname,
    port,
    db,
    ...(u.username === "" ? {} : { username: decodeURIComponent(u.username) }),
    ...(u.password === "" ? {} : { password: decodeURIComponent(u.password) }),
    where: masked,
  };
}

/**
 * Opens a connection and checks the server: reachable, and `maxmemory-policy` is `noeviction`
 * (under any evicting policy Redis may drop a job's keys under memory pressure, and a run would wait
 * for chunks that no longer exist). `worker`: commands wait through a disconnection instead of
 * failing (BullMQ workers need `maxRetriesPerRequest: null`); a coordinator's fail fast, so it can
 * say how long Redis has been away.
 */
export async function connectRedis(target: RedisTarget, opts: { worker: boolean }): Promise<Redis> {
  const client = new Redis({
    host: target.host,
    port: target.port,
    db: target.db,
    ...(target.username === undefined ? {} : { username: target.username }),
    ...(target.password === undefined ? {} : { password: target.password }),
    lazyConnect: true,
    maxRetriesPerRequest: opts.worker ? null : 1,
    enableOfflineQueue: true,
    // reconnect every 0.2-2 s for as long as the process runs: a restarted Redis is picked up again
    retryStrategy: (times) => Math.min(2000, 200 * times),
    connectTimeout: 5000,
  });
  // ioredis reports every failed reconnection as an 'error' event; the callers see failures as
  // rejected commands, so the events themselves are not logged (they would repeat every 2 s)
  client.on("error", () => undefined);
  try {
    await client.connect();
  } catch (err) {
    client.disconnect();
    throw new AppError(
      "INVALID_INPUT",
      `--queue ${target.where}: cannot reach Redis (${err instanceof Error ? err.message : String(err)}); start redis-server there or fix the address`,
      { details: { field: "queue" }, cause: err },
    );
  }
  const policy = /maxmemory_policy:(\S+)/.exec(await client.info("memory"))?.[1];
  if (policy !== "noeviction") {
    client.disconnect();
    throw new AppError(
      "INVALID_INPUT",
      `--queue ${target.where}: Redis's maxmemory-policy is ${policy ?? "unknown"}, and an evicting policy can silently drop queued jobs; set it with \`redis-cli -h ${target.host} -p ${target.port} CONFIG SET maxmemory-policy noeviction\` (and \`maxmemory-policy noeviction\` in redis.conf)`,
      { details: { field: "queue" } },
    );
  }
  return client;
}
