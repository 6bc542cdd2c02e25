// A tiny authoritative DNS server for tests, on 127.0.0.1 UDP (port 0: a free one): it answers TXT
// questions from a table the test fills, NXDOMAIN for names it does not hold, and nothing else. Domain
// verification asks it instead of the network (DNS_SERVERS=<address>).
import { createSocket, type RemoteInfo } from 'node:dgram';
import type { AddressInfo } from 'node:net';

const TXT = 16;
const CLASS_IN = 1;

export interface DnsStub {
  /** `127.0.0.1:<port>`, for DNS_SERVERS. */
  address: string;
  /** Sets the TXT strings at a name (each string one record; long ones are split into 255-byte chunks). */
  setTxt(name: string, values: string[]): void;
  clear(name: string): void;
  /** How many questions arrived, for tests that show no question was asked. */
  questions(): number;
  close(): Promise<void>;
}

/** Reads the question's name (labels up to the zero byte) and type, from the byte after the header. */
function readQuestion(message: Buffer): { name: string; type: number; end: number } | undefined {
  const labels: string[] = [];
  let at = 12;
  while (at < message.length) {
    const length = message[at]!;
    if (length === 0) break;
    if (length > 63) return undefined; // no compression in a question
    labels.push(message.subarray(at + 1, at + 1 + length).toString('latin1'));
    at += 1 + length;
  }
  if (at + 5 > message.length) return undefined;
  return { name: labels.join('.').toLowerCase(), type: message.readUInt16BE(at + 1), end: at + 5 };
}

function txtRecord(value: string): Buffer {
  const bytes = Buffer.from(value, 'utf8');
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length || i === 0; i += 255) {
    const chunk = bytes.subarray(i, i + 255);
    chunks.push(Buffer.from([chunk.length]), chunk);
  }
  const rdata = Buffer.concat(chunks);
  const fixed = Buffer.alloc(12);
  fixed.writeUInt16BE(0xc00c, 0); // the name: a pointer to the question's
  fixed.writeUInt16BE(TXT, 2);
  fixed.writeUInt16BE(CLASS_IN, 4);
  fixed.writeUInt32BE(60, 6);
  fixed.writeUInt16BE(rdata.length, 10);
  return Buffer.concat([fixed, rdata]);
}

function answer(query: Buffer, records: Map<string, string[]>): Buffer | undefined {
  if (query.length < 12) return undefined;
  const question = readQuestion(query);
  if (!question) return undefined;
  const values = records.get(question.name);
  const answers = values && question.type === TXT ? values.map(txtRecord) : [];
  const header = Buffer.alloc(12);
  query.copy(header, 0, 0, 2); // the id
  // A response, authoritative, recursion desired and available; NXDOMAIN (3) for a name it does not hold.
  header.writeUInt16BE(0x8580 | (values ? 0 : 3), 2);
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(answers.length, 6);
  return Buffer.concat([header, query.subarray(12, question.end), ...answers]);
}

export async function startDnsStub(): Promise<DnsStub> {
  const records = new Map<string, string[]>();
  let asked = 0;
  const socket = createSocket('udp4');
  socket.on('message', (query: Buffer, from: RemoteInfo) => {
    asked++;
    const reply = answer(query, records);
    if (reply) socket.send(reply, from.port, from.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  // The stub never keeps a test process alive by itself.
  socket.unref();
  const { port } = socket.address() as AddressInfo;
  return {
    address: `127.0.0.1:${port}`,
    setTxt: (name, values) => records.set(name.toLowerCase(), values),
    clear: (name) => records.delete(name.toLowerCase()),
    questions: () => asked,
    close: () => new Promise((resolve) => socket.close(() => resolve())),
  };
}
