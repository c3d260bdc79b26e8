/**
 * The trading operations of the table (operations.ts): sessions, the kill switch and approvals.
 */
import type { z } from "zod";
import { paperApprovalDeps } from "../../app/approval-paper.ts";
import {
  ApproveInput,
  approve,
  ListApprovalsInput,
  listApprovals,
  ProposeOrderInput,
  proposeOrder,
  RejectInput,
  reject,
} from "../../app/approval-service.ts";
import { parseInput } from "../../app/contract.ts";
import { KillInput, kill } from "../../app/kill.ts";
import {
  listTrading,
  reconcileTrading,
  resumeTrading,
  stopTrading,
  TradeReconcileInput,
  TradeResumeInput,
  TradeStatusInput,
  TradeStopInput,
  tradeStatus,
} from "../../app/trade-control.ts";
import { TradeDriftInput, tradeDrift } from "../../app/trade-drift.ts";
import { TradeFillsInput, tradeFills } from "../../app/trade-fills.ts";
import { TradeListPages } from "../../app/trade-list-pages.ts";
import { startTrading, TradeStartInput } from "../../app/trade-start.ts";
import type { Container } from "../../composition-root.ts";
import { AppError } from "../../errors.ts";

import { callerOf, type Operation, personOnly } from "./operation.ts";

/** The trade sessions list's reused entries, one memo per container (home) */
const tradeListPages = new WeakMap<Container, TradeListPages>();

export const TRADING_OPERATIONS: readonly Operation[] = [
  // trading
  {
    id: "trade_list",
    method: "get",
    path: "/v1/trade/sessions",
    summary: "every trading session in the home (kairos trade list)",
    access: "read",
    page: true,
    run: ({ c }) => listTrading(c.trading()),
    // entries reused while their session's state, last bar and update time hold (one per home)
    runPage: ({ c }, page) => {
      let pages = tradeListPages.get(c);
      if (pages === undefined) {
        pages = new TradeListPages();
        tradeListPages.set(c, pages);
      }
      return pages.page(c.trading(), page);
    },
  },
  {
    id: "trade_status",
    method: "post",
    path: "/v1/trade/status",
    summary: "state, positions, orders and P&L of a trading session (kairos trade status)",
    access: "read",
    input: TradeStatusInput,
    run: ({ c }, raw) => tradeStatus(c.trading(), parseInput(TradeStatusInput, raw)),
  },
  {
    id: "trade_drift",
    method: "post",
    path: "/v1/trade/drift",
    summary: "a session's fills and P&L against a backtest of the same bars (kairos trade drift)",
    access: "read",
    input: TradeDriftInput,
    run: ({ c }, raw) => tradeDrift(c.trading(), parseInput(TradeDriftInput, raw)),
  },
  {
    id: "trade_fills",
    method: "post",
    path: "/v1/trade/fills",
    summary:
      "a session's fills with their times (newest `limit`) and its P&L today (since 00:00 UTC, the daily-loss check's day)",
    access: "read",
    input: TradeFillsInput,
    run: ({ c }, raw) => tradeFills(c.trading(), parseInput(TradeFillsInput, raw)),
  },
  {
    id: "trade_start",
    method: "post",
    path: "/v1/jobs/trade",
    summary:
      "starts a trading session as a job (paper replay by default; live needs a person, the exchange typed again and a key file)",
    access: "compute",
    input: TradeStartInput,
    job: true,
    guard: ({ principal }, raw) => {
      const input = parseInput(TradeStartInput, raw);
      if (input.live && principal.kind !== "person") throw personOnly("a live session");
      // an agent may replay paper sessions; key files and other API origins are a person's business
      if (principal.kind !== "person" && (input.keyFile !== undefined || input.apiBase !== undefined))
        throw personOnly("keyFile and apiBase");
    },
    run: ({ c }, raw, j) =>
      startTrading(c.trading(), raw as z.input<typeof TradeStartInput>, (p) => {
        if (j?.signal.aborted === true) throw new AppError("CANCELLED", "the session's job was cancelled");
        j?.onProgress({ kind: "note", task: "trade", message: `bar ${new Date(p.barTs).toISOString()}` });
      }),
  },
  {
    id: "trade_stop",
    method: "post",
    path: "/v1/trade/stop",
    summary: "stops a session: cancels its open orders, optionally flattens (kairos trade stop)",
    access: "person",
    input: TradeStopInput,
    run: ({ c }, raw) => stopTrading(c.trading(), parseInput(TradeStopInput, raw)),
  },
  {
    id: "trade_resume",
    method: "post",
    path: "/v1/trade/resume",
    summary: "re-activates a halted session after reconciliation (kairos trade resume)",
    access: "person",
    input: TradeResumeInput,
    run: ({ c }, raw) => resumeTrading(c.trading(), parseInput(TradeResumeInput, raw)),
  },
  {
    id: "trade_reconcile",
    method: "post",
    path: "/v1/trade/reconcile",
    summary: "compares kairos's orders and balances with the venue's (kairos trade reconcile)",
    access: "person",
    input: TradeReconcileInput,
    run: ({ c }, raw) => reconcileTrading(c.trading(), parseInput(TradeReconcileInput, raw)),
  },
  {
    id: "kill",
    method: "post",
    path: "/v1/kill",
    summary:
      "the kill switch: HALTED latched, every open order cancelled, optionally flattened (kairos kill)",
    access: "person",
    input: KillInput,
    run: ({ c }, raw) => kill({ ...c.trading(), home: c.home }, parseInput(KillInput, raw)),
  },
  // approvals: agents propose, only a person approves or rejects
  {
    id: "approvals_list",
    method: "post",
    path: "/v1/approvals/list",
    summary: "proposals waiting for a person (or every state), newest first (kairos approvals list --json)",
    access: "read",
    input: ListApprovalsInput,
    run: ({ c }, raw) =>
      listApprovals(paperApprovalDeps(c.trading()), raw as z.input<typeof ListApprovalsInput>),
  },
  {
    id: "approvals_propose",
    method: "post",
    path: "/v1/approvals/propose",
    summary:
      "proposes an exact order for a person's approval: nothing is placed; returns the proposal id and what a person must do",
    access: "compute",
    input: ProposeOrderInput,
    run: ({ c, principal }, raw) =>
      proposeOrder(
        paperApprovalDeps(c.trading()),
        callerOf(principal, "http"),
        raw as z.input<typeof ProposeOrderInput>,
      ),
  },
  {
    id: "approvals_approve",
    method: "post",
    path: "/v1/approvals/approve",
    summary: "a person approves one proposal: its exact order goes through the risk gate to the venue",
    access: "person",
    input: ApproveInput,
    run: ({ c, principal }, raw) =>
      approve(
        paperApprovalDeps(c.trading()),
        callerOf(principal, "http"),
        raw as z.input<typeof ApproveInput>,
      ),
  },
  {
    id: "approvals_reject",
    method: "post",
    path: "/v1/approvals/reject",
    summary: "a person rejects one proposal: nothing is placed",
    access: "person",
    input: RejectInput,
    run: ({ c, principal }, raw) =>
      reject(paperApprovalDeps(c.trading()), callerOf(principal, "http"), raw as z.input<typeof RejectInput>),
  },
];
