import type { Command } from "commander";
import { replayAudit } from "../../../app/audit-replay.ts";
import { showAudit } from "../../../app/audit-show.ts";
import { auditVerifyJson, exportAudit, verifyExportDir, verifyStoredLog } from "../../../app/audit-verify.ts";
import { createContainer } from "../../../composition-root.ts";
import { invalidInput } from "../../../errors.ts";
import { type CliGlobals, globalsOf, printInfo, printJson, printLine } from "../context.ts";

function withAudit<T>(g: CliGlobals, f: (c: ReturnType<typeof createContainer>) => T): T {
  const c = createContainer({ home: g.home });
  try {
    return f(c);
  } finally {
    c.close();
  }
}

/** `kairos audit verify|export|show|replay`: the tamper-evident decision log */
export function registerAuditCommand(program: Command): void {
  const audit = program
    .command("audit")
    .description(
      "the hash-chained, signed decision log: verify it, export it, walk an order back to its decision",
    );
  audit
    .command("verify")
    .description("re-compute the chain and every signed anchor (of the stored log, or of an export)")
    .option("--export <dir>", "verify a folder written by `audit export` instead of kairos.db")
    .action((o: { export?: string }, cmd: Command) => {
      const g = globalsOf(cmd);
      const r = withAudit(g, (c) => {
        const log = c.audit();
        return o.export === undefined
          ? verifyStoredLog(log, c.auditCrypto)
          : verifyExportDir(o.export, c.auditCrypto, log.publicKeyPem());
      });
      if (g.json) printJson(auditVerifyJson(r));
      else if (r.ok)
        printLine(
          `ok: ${r.records} records, ${r.anchors} signed anchors (records 1..${r.anchoredTo} signed), key sha256 ${r.keyFingerprint.slice(0, 16)}`,
        );
      else printLine(`TAMPERED: first bad record ${r.firstBadSeq}: ${r.problem}`);
      if (!r.ok) process.exitCode = 1;
    });
  audit
    .command("export")
    .description(
      "write records.jsonl, chain.txt, anchors.jsonl and public-key.pem (checkable without kairos, see docs/audit-verify.md)",
    )
    .requiredOption("--out <dir>", "the folder to write")
    .action((o: { out: string }, cmd: Command) => {
      const g = globalsOf(cmd);
      const r = withAudit(g, (c) => exportAudit(c.audit(), o.out));
      if (g.json) printJson(r);
      else printLine(`exported ${r.records} records and ${r.anchors} anchors to ${r.out}`);
    });
  audit
    .command("replay")
    .description(
      "re-run every recorded pre-trade risk check on fresh gates and compare the verdicts with the log",
    )
    .option("--from <seq>", "compare from this record on (gate state is rebuilt from the start)", "1")
    .action((o: { from: string }, cmd: Command) => {
      const g = globalsOf(cmd);
      const from = Number(o.from);
      if (!Number.isInteger(from) || from < 1)
        throw invalidInput(`--from ${o.from}: give a record number >= 1 (see \`kairos audit verify\`)`, {
          field: "from",
        });
      const r = withAudit(g, (c) => replayAudit(c.audit(), c.auditCrypto, from));
      if (g.json) printJson(r);
      else {
        if (r.problem !== undefined) printLine(`NOT VERIFIED: ${r.problem}`);
        printLine(
          `${r.ok ? "ok" : "MISMATCH"}: ${r.matched} of ${r.checks} risk checks replayed to the recorded verdict (${r.gates} gate(s), from record ${r.fromSeq})`,
        );
        for (const m of r.mismatches)
          printLine(`  record ${m.seq} ${m.clientOrderId}: recorded ${m.recorded}; replayed ${m.replayed}`);
      }
      if (!r.ok) process.exitCode = 1;
    });
  audit
    .command("show")
    .description("walk decision -> checks -> order -> acknowledgement -> fills, with the explanation")
    .option("--order <id>", "a client or venue order id")
    .option("--decision <id>", "a decision id SESSION/SEQ")
    .action((o: { order?: string; decision?: string }, cmd: Command) => {
      const g = globalsOf(cmd);
      const w = withAudit(g, (c) => showAudit(c.audit(), o));
      if (g.json) {
        printJson(w);
        return;
      }
      printLine(`decision ${w.decisionId}: ${w.explanation}`);
      for (const s of w.steps) {
        const d = s.data;
        const what = [
          d.clientOrderId,
          d.state,
          d.side,
          d.qty,
          d.price,
          d.tradeId,
          d.verdict,
          // a refusal: kairos's category, the venue's raw code, its words
          d.rejectCode ?? undefined,
          d.state === "rejected"
            ? `venue code ${d.venueRejectCode === null || d.venueRejectCode === undefined ? "none given" : String(d.venueRejectCode)}`
            : undefined,
          d.state === "rejected" && typeof d.reason === "string" ? `(${d.reason})` : undefined,
        ]
          .filter((x) => x !== undefined)
          .join(" ");
        printLine(`  #${s.seq} ${new Date(s.ts).toISOString()} ${s.kind.padEnd(13)} ${what}`);
      }
      if (w.steps.length <= 1) printInfo("no orders logged for this decision");
    });
}
