import assert from 'node:assert/strict';
import { createServer as createHttpServer, type IncomingMessage, type Server } from 'node:http';
import { createServer as createTcpServer, type AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { OutboxMessage } from '../db/entities/outbox-message.js';
import { createTransports, emailTransport, smsTransport } from './transports.js';

const message = (fields: Partial<OutboxMessage>): OutboxMessage =>
  ({
    id: 'm1',
    channel: 'email',
    recipient: 'ada@example.com',
    subject: 'Welcome',
    bodyText: 'Hello Ada',
    bodyHtml: null,
    ...fields,
  }) as OutboxMessage;

async function listen(server: Server | ReturnType<typeof createTcpServer>): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

describe('SMS webhook transport', () => {
  let port: number;
  let status = 200;
  const requests: { method?: string; type?: string; body: string }[] = [];
  const server = createHttpServer(async (req: IncomingMessage, res) => {
    let body = '';
    for await (const chunk of req) body += chunk;
    requests.push({ method: req.method, type: req.headers['content-type'], body });
    res.writeHead(status, status === 302 ? { location: '/elsewhere' } : {}).end(`echo ${body}`);
  });
  before(async () => (port = await listen(server)));
  after(() => server.close());

  test('smsTransport_postsTheRecipientAndBodyAsJson', async () => {
    status = 200;
    await smsTransport(`http://127.0.0.1:${port}/sms`).send(
      message({ channel: 'sms', recipient: '+15550100', bodyText: 'Your code is 424242' }),
    );

    const last = requests.at(-1)!;
    assert.equal(last.method, 'POST');
    assert.equal(last.type, 'application/json');
    assert.deepEqual(JSON.parse(last.body), { to: '+15550100', body: 'Your code is 424242' });
  });

  for (const failing of [500, 302]) {
    test(`smsTransport_fails_whenTheWebhookAnswers${failing}_withoutRepeatingItsAnswer`, async () => {
      status = failing;
      const sending = smsTransport(`http://127.0.0.1:${port}/sms`).send(
        message({ channel: 'sms', bodyText: 'Your code is 424242' }),
      );
      await assert.rejects(sending, (err: Error) => err.message === `SMS webhook answered HTTP ${failing}`);
    });
  }
});

describe('SMTP e-mail transport', () => {
  const smtp = fakeSmtpServer();
  let port: number;
  before(async () => (port = await listen(smtp.server)));
  after(() => smtp.server.close());

  test('emailTransport_deliversTheMessageFromMailFrom_toTheRecipient', async () => {
    smtp.rejectRecipients = false;
    await emailTransport(`smtp://127.0.0.1:${port}`, 'Tessera <no-reply@tessera.test>').send(
      message({ subject: 'Welcome aboard', bodyText: 'Hello Ada', bodyHtml: '<p>Hello Ada</p>' }),
    );

    const mail = smtp.received.at(-1)!;
    assert.equal(mail.from, 'MAIL FROM:<no-reply@tessera.test>');
    assert.deepEqual(mail.to, ['RCPT TO:<ada@example.com>']);
    assert.match(mail.data, /^Subject: Welcome aboard$/m);
    assert.match(mail.data, /^From: Tessera <no-reply@tessera\.test>$/m);
    assert.match(mail.data, /Hello Ada/);
    assert.match(mail.data, /text\/html/);
  });

  test('emailTransport_fails_whenTheServerRejectsTheRecipient', async () => {
    smtp.rejectRecipients = true;
    await assert.rejects(emailTransport(`smtp://127.0.0.1:${port}`, 'no-reply@tessera.test').send(message({})), /550/);
  });
});

test('createTransports_givesATransportOnlyForConfiguredChannels', () => {
  assert.deepEqual(
    Object.keys(createTransports({ mailFrom: 'x@y.z', smtpUrl: undefined, smsWebhookUrl: undefined })),
    [],
  );
  assert.deepEqual(
    Object.keys(createTransports({ mailFrom: 'x@y.z', smtpUrl: 'smtp://127.0.0.1:1', smsWebhookUrl: undefined })),
    ['email'],
  );
  assert.deepEqual(
    Object.keys(createTransports({ mailFrom: 'x@y.z', smtpUrl: undefined, smsWebhookUrl: 'http://127.0.0.1:1' })),
    ['sms'],
  );
});

/** Just enough SMTP (no TLS, no auth) to receive one message per connection and keep it. */
function fakeSmtpServer() {
  const state = { rejectRecipients: false, received: [] as { from: string; to: string[]; data: string }[] };
  const server = createTcpServer((socket) => {
    const mail = { from: '', to: [] as string[], data: '' };
    let buffer = '';
    let inData = false;
    socket.write('220 fake ESMTP\r\n');
    socket.on('data', (chunk) => {
      buffer += chunk.toString('utf8');
      for (;;) {
        if (inData) {
          const end = buffer.indexOf('\r\n.\r\n');
          if (end < 0) return;
          mail.data = buffer.slice(0, end);
          buffer = buffer.slice(end + 5);
          inData = false;
          state.received.push(mail);
          socket.write('250 queued\r\n');
          continue;
        }
        const eol = buffer.indexOf('\r\n');
        if (eol < 0) return;
        const line = buffer.slice(0, eol);
        buffer = buffer.slice(eol + 2);
        const verb = line.slice(0, 4).toUpperCase();
        if (verb === 'MAIL') mail.from = line;
        if (verb === 'RCPT' && !state.rejectRecipients) mail.to.push(line);
        inData = verb === 'DATA';
        socket.write(smtpReply(verb, state.rejectRecipients));
      }
    });
  });
  return Object.assign(state, { server });
}

function smtpReply(verb: string, rejectRecipients: boolean): string {
  if (verb === 'RCPT' && rejectRecipients) return '550 no such mailbox\r\n';
  if (verb === 'DATA') return '354 go ahead\r\n';
  if (verb === 'QUIT') return '221 bye\r\n';
  return '250 ok\r\n';
}
