// kairos risk show/set/state/resume and kill through the CLI (in process, a temp home)
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
});
