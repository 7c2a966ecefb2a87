// A MongoDB wire-protocol proxy that runs write commands one at a time.
//
// FerretDB 1.x executes findAndModify and update as "query, then write" without a transaction
// (upstream's TODO FerretDB#2168), so two clients racing on one document both win: two Agenda
// workers lock the same job and $inc loses increments. Serializing every write command across
// all connections restores the per-document atomicity MongoDB guarantees. Reads pass through.
import { connect, createServer, type Server, type Socket } from "node:net";

const OP_MSG = 2013;
const MORE_TO_COME = 1 << 1;
/** Commands that modify documents; everything else is forwarded without waiting. */
const WRITES = new Set(["insert", "update", "delete", "findandmodify"]);

/** Splits a byte stream into whole wire messages (each starts with its int32 length). */
function framer(onMessage: (msg: Buffer) => void) {
  let buf: Buffer = Buffer.alloc(0);
  return (chunk: Buffer) => {
    buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
    while (buf.length >= 4) {
      const len = buf.readInt32LE(0);
      if (buf.length < len) return;
      onMessage(buf.subarray(0, len));
      buf = buf.subarray(len);
    }
  };
}

/** The command name of an OP_MSG (first key of its body section); undefined for other opcodes. */
export function commandName(msg: Buffer): string | undefined {
  if (msg.length < 21 || msg.readInt32LE(12) !== OP_MSG) return undefined;
  let at = 20; // header (16) + flagBits (4)
  while (at < msg.length) {
    const kind = msg[at];
    if (kind === 0) {
      const nameStart = at + 1 + 4 + 1; // kind, document length, element type
      const nameEnd = msg.indexOf(0, nameStart);
      return nameEnd < 0 ? undefined : msg.toString("utf8", nameStart, nameEnd);
    }
    if (kind !== 1) return undefined;
    at += 1 + msg.readInt32LE(at + 1); // a document sequence: skip it
  }
  return undefined;
}

function isWrite(msg: Buffer): boolean {
  const opCode = msg.readInt32LE(12);
  if (opCode !== OP_MSG) return opCode === 2012; // compressed: cannot tell, so be safe
  const name = commandName(msg);
  return name !== undefined && WRITES.has(name.toLowerCase());
}

/** A FIFO mutex shared by all connections. */
class Mutex {
  private tail: Promise<void> = Promise.resolve();
  lock(): Promise<() => void> {
    let release!: () => void;
    const next = new Promise<void>((r) => {
      release = r;
    });
    const ready = this.tail.then(() => release);
    this.tail = this.tail.then(() => next);
    return ready;
  }
}

function pipeConnection(client: Socket, upstreamPort: number, mutex: Mutex): void {
  const upstream = connect({ host: "127.0.0.1", port: upstreamPort });
  // Replies still owed by the server on this connection, and who waits for them all to arrive.
  let outstanding = 0;
  let idle: (() => void) | undefined;
  const settled = () =>
    outstanding === 0
      ? Promise.resolve()
      : new Promise<void>((r) => {
          idle = r;
        });
  const queue: Buffer[] = [];
  let busy = false;
  let closed = false;
  const close = () => {
    closed = true;
    client.destroy();
    upstream.destroy();
    outstanding = 0;
    idle?.();
  };
  client.on("error", close).on("close", close);
  upstream.on("error", close).on("close", close);

  upstream.on(
    "data",
    framer((msg) => {
      client.write(msg);
      const more = msg.readInt32LE(12) === OP_MSG && (msg.readUInt32LE(16) & MORE_TO_COME) !== 0;
      if (more || outstanding === 0) return;
      outstanding -= 1;
      if (outstanding === 0) {
        const waiter = idle;
        idle = undefined;
        waiter?.();
      }
    }),
  );

  // Requests of one connection are handled in order; a write holds the mutex until its reply.
  const drain = async () => {
    if (busy) return;
    busy = true;
    while (queue.length && !closed) {
      const msg = queue.shift() as Buffer;
      const expectsReply = msg.readInt32LE(12) !== OP_MSG || (msg.readUInt32LE(16) & MORE_TO_COME) === 0;
      if (!isWrite(msg)) {
        if (expectsReply) outstanding += 1;
        upstream.write(msg);
        continue;
      }
      await settled();
      const release = await mutex.lock();
      if (closed) {
        release(); // never hold the mutex for a connection that is gone
        break;
      }
      try {
        if (expectsReply) outstanding += 1;
        upstream.write(msg);
        await settled();
      } finally {
        release();
      }
    }
    busy = false;
  };
  client.on(
    "data",
    framer((msg) => {
      queue.push(Buffer.from(msg));
      void drain();
    }),
  );
}

/** Listens on 127.0.0.1:`port` (0 = any free port) and forwards to 127.0.0.1:`upstreamPort`. */
export function startWriteSerializer(port: number, upstreamPort: number): Promise<Server> {
  const mutex = new Mutex();
  const server = createServer((sock) => pipeConnection(sock, upstreamPort, mutex));
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve(server));
  });
}
