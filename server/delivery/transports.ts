// The ways a queued message leaves Tessera: e-mail over SMTP, SMS over an HTTP webhook (and webhooks/transport.ts,
// which main.ts hands the worker as the `webhook` channel).
import type { Transporter } from 'nodemailer';
import type { Config } from '../config.js';
import type { OutboxMessage } from '../db/entities/outbox-message.js';
import { loadedAtFirstUse } from '../first-use.js';
import type { Channel } from './outbox.js';

/** Sends one message; resolves when the far end accepted it, rejects otherwise. */
export interface Transport {
  send(msg: OutboxMessage): Promise<void>;
}

export type Transports = Partial<Record<Channel, Transport>>;

// A send must finish well inside the worker's claim lease (5 min), or a second worker could
// take the message while the first is still sending it.
const SMTP_TIMEOUTS = { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 };
const SMS_TIMEOUT_MS = 10_000;

const nodemailer = loadedAtFirstUse<typeof import('nodemailer')>('nodemailer');

/** One transport per configured channel; a channel left out keeps its messages queued. */
export function createTransports(config: Pick<Config, 'smtpUrl' | 'mailFrom' | 'smsWebhookUrl'>): Transports {
  return {
    ...(config.smtpUrl ? { email: emailTransport(config.smtpUrl, config.mailFrom) } : {}),
    ...(config.smsWebhookUrl ? { sms: smsTransport(config.smsWebhookUrl) } : {}),
  };
}

/** SMTP_URL was checked at start (config.ts); nodemailer is loaded and the transport made at the first message. */
export function emailTransport(smtpUrl: string, from: string): Transport {
  let mailer: Transporter | undefined;
  return {
    async send(msg) {
      mailer ??= nodemailer().createTransport({ url: smtpUrl, ...SMTP_TIMEOUTS }, { from });
      await mailer.sendMail({
        to: msg.recipient,
        subject: msg.subject,
        text: msg.bodyText,
        html: msg.bodyHtml ?? undefined,
      });
    },
  };
}

export function smsTransport(webhookUrl: string): Transport {
  return {
    async send(msg) {
      const response = await fetch(webhookUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ to: msg.recipient, body: msg.bodyText }),
        // Following a redirect would post the code to wherever it points; treat it as a failure.
        redirect: 'manual',
        signal: AbortSignal.timeout(SMS_TIMEOUT_MS),
      });
      // Read nothing from the answer (it may echo the code); just free the connection.
      await response.body?.cancel();
      if (!response.ok) throw new Error(`SMS webhook answered HTTP ${response.status}`);
    },
  };
}
