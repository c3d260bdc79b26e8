import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openAiChat } from "../../src/adapters/llm/openai-chat.ts";
import { evaluateSentimentWithLlm, llmSentimentLabels } from "../../src/app/sentiment-llm.ts";
import { type ChatServer, startChatServer } from "../support/chat-server.ts";
import { runKairosInProcess, tempHome } from "../support/cli.ts";

// 24 labelled rows, 12 per language
const ROWS: [string, string, string][] = [];
const LABELS = ["positive", "negative", "neutral"] as const;
for (let i = 0; i < 12; i++) ROWS.push([`Headline number ${i} about the market`, LABELS[i % 3]!, "en"]);
for (let i = 0; i < 12; i++)
  ROWS.push([`Schlagzeile Nummer ${i} über den Markt`, LABELS[(i + 1) % 3]!, "de"]);
const truth = new Map(ROWS.map(([t, l]) => [t, l]));

// a local chat-completions server playing a model: right on every row except those whose number is
// 0 mod 4 (it says "neutral"), and it leaves out the label of any row whose number is 7
let chat: ChatServer;
let url = "";
let requests = 0;
beforeAll(async () => {
  chat = await startChatServer((r) => {
    requests++;
    const lines = r.messages[1]!.content!.split("\n").map((l) => /^(\d+)\. (.*)$/.exec(l)!);
    const reply = lines
      .filter((m) => !/ 7 /.test(m[2]!))
      .map((m) => {
        const k = Number(/(\d+) (about|über)/.exec(m[2]!)![1]);
        return `${m[1]} ${k % 4 === 0 ? "neutral" : truth.get(m[2]!)}`;
      })
      .join("\n");
    return { role: "assistant", content: `Sure:\n${reply}` };
  });
  url = chat.url;
});
afterAll(() => chat.close());

const csv = `text,label,lang\n${ROWS.map((r) => r.join(",")).join("\n")}\n`;

describe("the LLM sentiment scorer (any OpenAI-compatible endpoint)", () => {
  it("on the bundled German set, a model that always answers neutral scores exactly the majority baseline's row", async () => {
    // an independent reference: answering "neutral" to all 3,792 rows is what the majority baseline does
    const neutral = await startChatServer((r) => {
      const reply = r.messages[1]!.content!.split("\n")
        .filter((l) => /^\d+\. /.test(l))
        .map((l) => `${l.split(".")[0]} neutral`)
        .join("\n");
      return { role: "assistant", content: reply };
    });
    process.env.KAIROS_LLM_URL = neutral.url;
    process.env.KAIROS_LLM_MODEL = "always-neutral";
    try {
      const set = join(import.meta.dirname, "../../data/sentiment/gerntsa_de.csv");
      const r = await runKairosInProcess(["sentiment", "evaluate", "--file", set, "--lang", "de", "--llm"], {
        home: tempHome("kairos-sent-llm-de-"),
      });
      expect(r.code, r.stderr).toBe(0);
      const row = (name: string) =>
        r.stdout
          .split("\n")
          .find((l) => l.includes(name))!
          .replace(/^de +3792 +(majority \(neutral\)|LLM always-neutral) +/, "");
      expect(row("LLM always-neutral")).toBe(row("majority (neutral)"));
      expect(r.stdout).toMatch(/^de +3792 +kairos lexicon +0\.552 /m);
    } finally {
      delete process.env.KAIROS_LLM_URL;
      delete process.env.KAIROS_LLM_MODEL;
      await neutral.close();
    }
  }, 120_000);

  it("labels in numbered batches; unlabelled rows count as neutral and as unparsed", async () => {
    requests = 0;
    const texts = ROWS.slice(0, 12).map((r) => r[0]);
    const out = await llmSentimentLabels(openAiChat({ url }), texts, { batch: 5 });
    expect(requests).toBe(3); // 5 + 5 + 2
    expect(out.unparsed).toBe(1);
    expect(out.labels[7]).toBe("neutral");
    expect(out.labels[4]).toBe("neutral"); // 4 mod 4 = 0: the model says neutral
    expect(out.labels[5]).toBe(LABELS[5 % 3]);
  });

  it("is judged on the same rows as the lexicon, with hand-counted accuracy", async () => {
    const out = await evaluateSentimentWithLlm(
      { model: openAiChat({ url }), batch: 10 },
      { csv, resamples: 200 },
    );
    // per language, rows 0..11: wrong where k % 4 == 0 and the truth is not neutral, or k == 7 and the truth is not neutral
    const right = (lang: string): number =>
      ROWS.filter((r) => r[2] === lang).filter((r, k) => {
        const said = k === 7 || k % 4 === 0 ? "neutral" : r[1];
        return said === r[1];
      }).length;
    const en = out.find((r) => r.lang === "en")!;
    const de = out.find((r) => r.lang === "de")!;
    expect(en.llm.accuracy.value).toBeCloseTo(right("en") / 12, 12);
    expect(de.llm.accuracy.value).toBeCloseTo(right("de") / 12, 12);
    expect([en.llm.unparsed, de.llm.unparsed]).toEqual([1, 1]);
    expect(en.n).toBe(12);
  });

  it("kairos sentiment evaluate --llm prints the model's row beside the lexicon and both baselines", async () => {
    const dir = tempHome("kairos-sent-llm-");
    const f = join(dir, "set.csv");
    writeFileSync(f, csv);
    process.env.KAIROS_LLM_URL = url;
    process.env.KAIROS_LLM_MODEL = "scripted";
    try {
      const r = await runKairosInProcess(["sentiment", "evaluate", "--file", f, "--llm"], { home: dir });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/^de +12 +kairos lexicon/m);
      expect(r.stdout).toMatch(/^en +12 +LLM scripted \(1 unlabelled\) +0\.\d{3} \[/m);
      // the same table as without a model (the same columns and rows, cell for cell), plus the model's row
      const plain = await runKairosInProcess(["sentiment", "evaluate", "--file", f], { home: dir });
      const cells = (t: string) =>
        t
          .trimEnd()
          .split("\n")
          .map((l) => l.trim().split(/\s{2,}/));
      const withLlm = cells(r.stdout);
      expect(withLlm.filter((c) => !c[2]!.startsWith("LLM "))).toEqual(cells(plain.stdout));
      expect(withLlm.filter((c) => c[2]!.startsWith("LLM ")).map((c) => [c[0], c.length])).toEqual([
        ["de", 5],
        ["en", 5],
      ]);
    } finally {
      delete process.env.KAIROS_LLM_URL;
      delete process.env.KAIROS_LLM_MODEL;
    }
    const none = await runKairosInProcess(["sentiment", "evaluate", "--file", f, "--llm"], { home: dir });
    expect(none.code).not.toBe(0);
    expect(none.stderr).toMatch(/no model endpoint: set KAIROS_LLM_URL/);
  });
});
