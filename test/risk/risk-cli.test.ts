// kairos risk show/set/state/resume and kill through the CLI (in process, a temp home)
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runKairosInProcess, tempHome } from "../support/cli.ts";

const home = tempHome("kairos-risk-cli-");

describe("kairos risk and kill", () => {
  it("show warns that no order passes before a limits file exists; set writes it with the author", async () => {
    const show = await runKairosInProcess(["risk", "show"], { home });
    expect(show.code).toBe(0);
    expect(show.stderr).toMatch(/no limits file .* every order is refused/);
    const set = await runKairosInProcess(["risk", "set", "maxOrderValue", "500", "--by", "alice"], { home });
    expect(set.code).toBe(0);
    const json = await runKairosInProcess(["--json", "risk", "show"], { home });
    const r = JSON.parse(json.stdout) as {
      written: boolean;
      hash: string;
      limits: { maxOrderValue: number; revision: number; updatedBy: string };
    };
    expect(r).toMatchObject({
      written: true,
      limits: { maxOrderValue: 500, revision: 1, updatedBy: "alice" },
    });
    expect(r.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it("bad values and keys are refused in one line, exit 2, the file unchanged", async () => {
    for (const args of [
      ["risk", "set", "maxOrderValue", "-1", "--by", "alice"],
      ["risk", "set", "maxOrderValue", "NaN", "--by", "alice"],
      ["risk", "set", "maxClockSkewMs", "5000", "--by", "alice"],
      ["risk", "set", "nope", "1", "--by", "alice"],
      ["risk", "set", "maxOrderValue", "1"],
    ]) {
      const r = await runKairosInProcess(args, { home });
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
    }
    const json = await runKairosInProcess(["--json", "risk", "show"], { home });
    expect(JSON.parse(json.stdout).limits.revision).toBe(1);
  });

  it("kill latches HALTED; only risk resume by a named person clears it", async () => {
    const k = await runKairosInProcess(["--json", "kill", "--by", "bob"], { home });
    expect(k.code).toBe(0);
    expect(JSON.parse(k.stdout)).toMatchObject({ state: "halted", stillOpen: 0 });
    expect((await runKairosInProcess(["risk", "state"], { home })).stdout).toMatch(/trading state: halted/);
    expect((await runKairosInProcess(["risk", "resume", "--by", "alice"], { home })).code).toBe(2);
    expect(
      (await runKairosInProcess(["risk", "resume", "--by", "alice", "--reason", "reviewed"], { home })).code,
    ).toBe(0);
    expect((await runKairosInProcess(["risk", "state"], { home })).stdout).toMatch(/trading state: active/);
  });

  it("`trade resume --by --reason` (the issue's name) clears the latch like `risk resume`; kill, latch, resume and limit changes are in the chained log", async () => {
    expect((await runKairosInProcess(["--json", "kill", "--by", "carol"], { home })).code).toBe(0);
    // half a resume is refused in one line, nothing changes
    const half = await runKairosInProcess(["trade", "resume", "--by", "dave"], { home });
    expect(half.code).toBe(2);
    expect(half.stderr).toMatch(/--by NAME and --reason TEXT go together/);
    expect((await runKairosInProcess(["risk", "state"], { home })).stdout).toMatch(/trading state: halted/);
    const r = await runKairosInProcess(["trade", "resume", "--by", "dave", "--reason", "checked the venue"], {
      home,
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/trading state: active \(by dave: checked the venue\)/);
    const state = JSON.parse((await runKairosInProcess(["--json", "risk", "state"], { home })).stdout) as {
      history: { state: string; by: string; reason: string }[];
    };
    expect(state.history.at(-1)).toMatchObject({ state: "active", by: "dave", reason: "checked the venue" });
    // the audit log holds each step, and still verifies
    const ex = join(home, "export-cli");
    expect((await runKairosInProcess(["audit", "export", "--out", ex], { home })).code).toBe(0);
    const recs = readFileSync(join(ex, "records.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { kind: string; data: Record<string, unknown> });
    const kinds = recs.map((x) => `${x.kind}:${x.data.phase ?? x.data.state ?? x.data.key ?? ""}`);
    expect(kinds).toContain("limits.change:maxOrderValue");
    expect(kinds).toContain("kill:pulled");
    expect(kinds).toContain("kill:done");
    expect(recs.filter((x) => x.kind === "session.state" && x.data.scope === "account")).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ data: expect.objectContaining({ state: "halted", by: "carol" }) }),
        expect.objectContaining({
          data: expect.objectContaining({ state: "active", by: "dave", reason: "checked the venue" }),
        }),
      ]),
    );
    const v = await runKairosInProcess(["--json", "audit", "verify"], { home });
    expect(JSON.parse(v.stdout)).toMatchObject({ ok: true, firstBadSeq: null });
  });
});
