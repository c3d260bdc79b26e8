// A cancel that arrives just as a job finishes: the final state is honest, either 'done' with its
// result (and what it stored) or 'cancelled' with nothing stored, never 'cancelled' beside a stored
// result. Both sides of the race are forced, not timed: the cancel is sent from inside the job's
// own event stream, at the moment the job claims its result ("storing the result"), or at the
// moment it starts. On the server's JobService with an in-process body, and on the API's job
// threads (JobHost) with a real model training, whose save is the result a cancel must not orphan.
import { afterAll, describe, expect, it } from "vitest";
import type { Principal } from "../../src/app/auth-service.ts";
import { type JobEvent, type JobRecord, JobService } from "../../src/app/job-service.ts";
import { createContainer } from "../../src/composition-root.ts";
import { STORING_NOTE } from "../../src/shells/http/job-flag.ts";
import { JobHost } from "../../src/shells/http/job-host.ts";
import { bundledHome } from "../support/cli.ts";

const home = bundledHome("kairos-api-cancel-race-", ["binance_BTC-USDT_1d.csv"]);
const agent: Principal = { tokenId: "race", kind: "agent", name: "race" };
/**
 * A training of a few seconds on the bundled daily series (early stopping as by default); each
 * test its own horizon, so no test's model can be another's (the registry stores a model once)
 */
const trainInput = (horizon: number) => ({ symbol: "BTC/USDT", timeframe: "1d", horizon });

const opened: { close(): void }[] = [];
afterAll(() => {
  for (const c of opened) c.close();
});
const container = () => {
  const c = createContainer({ home });
  opened.push(c);
  return c;
};

describe("a cancel racing a job's end", () => {
  it("JobService: a cancel after the body finished its work leaves the job 'done' with its result", async () => {
    const c = container();
    const jobs = new JobService(c.jobStore, c.clock);
    let cancelReply: JobRecord | undefined;
    const job = jobs.start("race", "agent:race", null, async (j) => {
      const result = { answer: 42 };
      // the work is over; the cancel lands before the service has seen the result
      cancelReply = jobs.cancel({ id: j.id });
      return result;
    });
    const done = await jobs.wait({ id: job.id });
    expect(cancelReply?.state).toBe("running");
    expect(done.state).toBe("done");
    expect(done.result).toEqual({ answer: 42 });
    expect(done.error).toBeNull();
    expect(c.jobStore.get(job.id)?.state).toBe("done");
  });

  it("JobService: a cancel before the body's next progress report ends it 'cancelled' with no result", async () => {
    const c = container();
    const jobs = new JobService(c.jobStore, c.clock);
    let stored = false;
    const job = jobs.start("race", "agent:race", null, async (j) => {
      jobs.cancel({ id: j.id });
      j.onProgress({ kind: "note", task: "race", message: "about to store" });
      stored = true;
      return { answer: 42 };
    });
    const done = await jobs.wait({ id: job.id });
    expect(done.state).toBe("cancelled");
    expect(done.result).toBeNull();
    expect(done.error?.code).toBe("CANCELLED");
    expect(stored).toBe(false);
  });

  /** A server's jobs on job threads; `onEvent` sees each event as the server would publish it */
  const threads = (graceMs: number) => {
    const c = container();
    const jobs = new JobService(c.jobStore, c.clock, { persistProgress: false });
    const host = new JobHost(home, { graceMs });
    const start = (horizon: number): JobRecord =>
      jobs.start("models_train", "agent:race", trainInput(horizon), (j) =>
        host.run(
          { op: "models_train", id: j.id, raw: trainInput(horizon), principal: agent, storeProgress: true },
          j,
        ),
      );
    return { c, jobs, host, start };
  };

  it("job thread: a cancel sent as the training claims its result (the model being saved) is too late: 'done', the stored model is its result", async () => {
    const { c, jobs, host, start } = threads(1000);
    try {
      const before = c.models.list().length;
      const seen: string[] = [];
      let id = "";
      let cancelReply: JobRecord | undefined;
      const off = jobs.subscribe((e: JobEvent) => {
        if (e.type === "job.progress" && e.id === id && e.progress.note === STORING_NOTE) {
          seen.push("storing");
          // synchronously, inside the event: the thread has claimed the result and is saving it
          cancelReply = jobs.cancel({ id });
        }
      });
      id = start(1).id;
      const done = await jobs.wait({ id });
      off();
      expect(seen).toEqual(["storing"]);
      expect(cancelReply?.state).toBe("running");
      expect(done.state, JSON.stringify(done.error)).toBe("done");
      expect(done.error).toBeNull();
      const models = c.models.list();
      expect(models.length).toBe(before + 1);
      expect((done.result as { record: { id: string } }).record.id).toBe(models[0]!.id);
      // the thread was not torn down for the late cancel: it is kept for the next job
      expect(host.stats).toMatchObject({ busy: 0, idle: 1 });
    } finally {
      await host.close();
    }
  }, 120_000);

  it("job thread: a cancel sent as the training starts wins: 'cancelled', and its save is refused, so no model is stored", async () => {
    // a grace far beyond the training: the thread is never terminated, so only the claim on the
    // flag at the save can stop the model from being stored
    const { c, jobs, host, start } = threads(600_000);
    try {
      const before = c.models.list().length;
      let id = "";
      const notes: string[] = [];
      const off = jobs.subscribe((e: JobEvent) => {
        if (e.id !== id) return;
        if (e.type === "job.state" && e.state === "running") jobs.cancel({ id });
        if (e.type === "job.progress" && e.progress.note !== undefined) notes.push(e.progress.note);
      });
      id = start(3).id;
      const done = await jobs.wait({ id });
      off();
      expect(done.state).toBe("cancelled");
      expect(done.error?.code).toBe("CANCELLED");
      expect(done.result).toBeNull();
      expect(notes).not.toContain(STORING_NOTE);
      expect(c.models.list().length).toBe(before);
    } finally {
      await host.close();
    }
  }, 120_000);
});
