/**
 * Alert settings in the home (<home>/alerts.json, zod-validated, written atomically, mode 0600).
 * The file names where alerts go, never a secret: the webhook's shared secret and the Telegram bot
 * token are read from environment variables the file names (KAIROS_ALERT_WEBHOOK_SECRET and
 * KAIROS_TELEGRAM_BOT_TOKEN by default), so no secret lands in the home, a log, the database or
 * the audit log. No file: alerts go to the log (<home>/alerts.log) only.
 */
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { AppError } from "../errors.ts";
import { flagField, parseInput } from "./contract.ts";
import { writePrivateFile } from "./write-private-file.ts";

export const ALERTS_FILE = "alerts.json";
export const ALERTS_LOG = "alerts.log";

const ENV_NAME = /^[A-Z_][A-Z0-9_]{0,63}$/;
const httpUrl = z
  .string()
  .url()
  .refine((u) => /^https?:\/\//.test(u), "must be an http:// or https:// URL");

export const AlertConfig = z
  .object({
    version: z.literal(1),
    /** append every alert as one JSON line to <home>/alerts.log */
    log: z.boolean(),
    webhook: z
      .object({
        url: httpUrl,
        /** the environment variable holding the HMAC-SHA256 shared secret */
        secretEnv: z.string().regex(ENV_NAME),
      })
      .strict()
      .optional(),
    telegram: z
      .object({
        /** the Bot API origin: https://api.telegram.org, or a local server in tests */
        baseUrl: httpUrl,
        /** the only chat whose messages and buttons count: its buttons are a person's channel */
        chatId: z.string().regex(/^-?\d{1,20}$/),
        /** the environment variable holding the bot token */
        tokenEnv: z.string().regex(ENV_NAME),
      })
      .strict()
      .optional(),
    /** how long an undelivered alert is retried (with backoff) before it is given up (logged) */
    retryForSeconds: z.number().int().min(1).max(3600),
  })
  .strict();
export type AlertConfig = z.infer<typeof AlertConfig>;

export const defaultAlertConfig = (): AlertConfig => ({ version: 1, log: true, retryForSeconds: 30 });

export type LoadedAlertConfig =
  | { ok: true; config: AlertConfig; path: string; written: boolean }
  | { ok: false; problem: string; path: string };

/** Reads the settings; never throws */
export function loadAlertConfig(home: string): LoadedAlertConfig {
  const path = join(home, ALERTS_FILE);
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    if ((err as { code?: string }).code === "ENOENT")
      return { ok: true, config: defaultAlertConfig(), path, written: false };
    return { ok: false, path, problem: `${path} cannot be read` };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, path, problem: `${path} is not JSON; rewrite it with \`kairos alerts config\`` };
  }
  const r = AlertConfig.safeParse(json);
  if (!r.success) {
    const i = r.error.issues[0]!;
    return {
      ok: false,
      path,
      problem: `${path}: ${i.path.join(".") || "file"} ${i.message}; fix it or rewrite it with \`kairos alerts config\``,
    };
  }
  return { ok: true, config: r.data, path, written: true };
}

/** The secrets the configured sinks need, from the environment; a missing one is a named problem */
export function alertSecrets(
  config: AlertConfig,
  env: Record<string, string | undefined>,
): { webhookSecret?: string; telegramToken?: string; problems: string[] } {
  const problems: string[] = [];
  const out: { webhookSecret?: string; telegramToken?: string; problems: string[] } = { problems };
  if (config.webhook !== undefined) {
    const v = env[config.webhook.secretEnv];
    if (v === undefined || v.length < 16)
      problems.push(
        `webhook: set ${config.webhook.secretEnv} to the shared secret (at least 16 characters); the webhook is off until then`,
      );
    else out.webhookSecret = v;
  }
  if (config.telegram !== undefined) {
    const v = env[config.telegram.tokenEnv];
    if (v === undefined || !/^\d+:[A-Za-z0-9_-]{20,}$/.test(v))
      problems.push(
        `telegram: set ${config.telegram.tokenEnv} to the bot token (digits:letters, from @BotFather); Telegram is off until then`,
      );
    else out.telegramToken = v;
  }
  return out;
}

/** `kairos alerts config`: where alerts go (secrets stay in the environment) */
export const AlertConfigInput = z
  .object({
    log: flagField().optional(),
    webhook: z.union([httpUrl, z.literal("off")]).optional(),
    webhookSecretEnv: z.string().regex(ENV_NAME, "is not an environment variable name").optional(),
    telegramChat: z
      .union([z.string().regex(/^-?\d{1,20}$/, "is not a Telegram chat id"), z.literal("off")])
      .optional(),
    telegramTokenEnv: z.string().regex(ENV_NAME, "is not an environment variable name").optional(),
    telegramBaseUrl: httpUrl.optional(),
    retryForSeconds: z.coerce.number().int().min(1).max(3600).optional(),
  })
  .strict();
export type AlertConfigInput = z.input<typeof AlertConfigInput>;

export function configureAlerts(
  home: string,
  raw: AlertConfigInput,
): { path: string; config: AlertConfig; changed: boolean } {
  const input = parseInput(AlertConfigInput, raw);
  const loaded = loadAlertConfig(home);
  if (!loaded.ok && Object.keys(input).length === 0) throw new AppError("INVALID_INPUT", loaded.problem);
  const base = loaded.ok ? loaded.config : defaultAlertConfig();
  const next: AlertConfig = structuredClone(base);
  if (input.log !== undefined) next.log = input.log;
  if (input.webhook === "off") delete next.webhook;
  else if (input.webhook !== undefined)
    next.webhook = {
      url: input.webhook,
      secretEnv: input.webhookSecretEnv ?? next.webhook?.secretEnv ?? "KAIROS_ALERT_WEBHOOK_SECRET",
    };
  else if (input.webhookSecretEnv !== undefined && next.webhook !== undefined)
    next.webhook.secretEnv = input.webhookSecretEnv;
  if (input.telegramChat === "off") delete next.telegram;
  else if (input.telegramChat !== undefined)
    next.telegram = {
      baseUrl: input.telegramBaseUrl ?? next.telegram?.baseUrl ?? "https://api.telegram.org",
      chatId: input.telegramChat,
      tokenEnv: input.telegramTokenEnv ?? next.telegram?.tokenEnv ?? "KAIROS_TELEGRAM_BOT_TOKEN",
    };
  else if (next.telegram !== undefined) {
    if (input.telegramBaseUrl !== undefined) next.telegram.baseUrl = input.telegramBaseUrl;
    if (input.telegramTokenEnv !== undefined) next.telegram.tokenEnv = input.telegramTokenEnv;
  }
  if (input.retryForSeconds !== undefined) next.retryForSeconds = input.retryForSeconds;
  const changed = !loaded.ok || !loaded.written || JSON.stringify(next) !== JSON.stringify(base);
  const path = join(home, ALERTS_FILE);
  if (changed && Object.keys(input).length > 0) {
    mkdirSync(home, { recursive: true });
    writePrivateFile(path, `${JSON.stringify(AlertConfig.parse(next), null, 2)}\n`);
    return { path, config: next, changed: true };
  }
  return { path, config: next, changed: false };
}
