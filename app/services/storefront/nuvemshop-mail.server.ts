import crypto from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import { env } from "../../env.server";

/**
 * Mail for the Nuvemshop storefront widget's one-time codes (decision 0016). Two transports, chosen by
 * the environment: an HTTP relay run by whoever operates Carryover (`CARRYOVER_MAIL_RELAY_URL`, JSON
 * `{from, to, subject, text}`, bearer `CARRYOVER_MAIL_RELAY_TOKEN`), or, in development and tests only
 * (refused in production), a directory where each mail is written as a JSON file (`CARRYOVER_MAIL_OUTBOX`).
 * Without either, no code can be sent and the widget never shows a balance (it says so).
 */
export interface Mail {
  to: string;
  subject: string;
  text: string;
}

export type MailOutcome = { outcome: "sent" } | { outcome: "not-configured" } | { outcome: "failed"; reason: string };

export function mailConfigured(): boolean {
  const e = env();
  return Boolean(e.CARRYOVER_MAIL_RELAY_URL || e.CARRYOVER_MAIL_OUTBOX);
}

export async function sendMail(mail: Mail): Promise<MailOutcome> {
  const e = env();
  const message = { from: e.CARRYOVER_MAIL_FROM, to: mail.to, subject: mail.subject, text: mail.text };
  if (e.CARRYOVER_MAIL_RELAY_URL) {
    try {
      const res = await fetch(e.CARRYOVER_MAIL_RELAY_URL, {
        method: "POST",
        headers: { "content-type": "application/json", ...(e.CARRYOVER_MAIL_RELAY_TOKEN ? { authorization: `Bearer ${e.CARRYOVER_MAIL_RELAY_TOKEN}` } : {}) },
        body: JSON.stringify(message),
        signal: AbortSignal.timeout(10_000),
      });
      if (!res.ok) return { outcome: "failed", reason: `the mail relay answered ${res.status}` };
      return { outcome: "sent" };
    } catch (error) {
      return { outcome: "failed", reason: `the mail relay could not be reached: ${error instanceof Error ? error.message : String(error)}` };
    }
  }
  if (e.CARRYOVER_MAIL_OUTBOX) {
    const dir = path.resolve(e.CARRYOVER_MAIL_OUTBOX);
    await fs.mkdir(dir, { recursive: true });
    const name = `${new Date().toISOString().replace(/[:.]/g, "-")}-${crypto.randomBytes(4).toString("hex")}.json`;
    await fs.writeFile(path.join(dir, name), JSON.stringify({ ...message, createdAt: new Date().toISOString() }, null, 2), { mode: 0o600 });
    return { outcome: "sent" };
  }
  return { outcome: "not-configured" };
}
