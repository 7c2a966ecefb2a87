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
export function framer(onMessage: (msg: Buffer) => void) {
  // Chunks are joined only once a whole message has arrived: joining on every chunk would copy a
  // 16 MB cursor batch hundreds of times.
  let chunks: Buffer[] = [];
  let size = 0;
  let need = -1;
  return (chunk: Buffer) => {
    chunks.push(chunk);
    size += chunk.length;
    for (;;) {
      if (need < 0) {
        if (size < 4) return;
        if ((chunks[0] as Buffer).length < 4) chunks = [Buffer.concat(chunks, size)];
        need = (chunks[0] as Buffer).readInt32LE(0);
      }
      if (size < need) return;
      const all = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size);
      const msg = all.subarray(0, need);
      const rest = all.subarray(need);
      chunks = rest.length ? [rest] : [];
      size = rest.length;
      need = -1;
      onMessage(msg);
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

/** "insert agendaJobs": the command and, when it is a string, its first value (the collection). */
export function commandTarget(msg: Buffer): string {
  const name = commandName(msg) ?? "?";
  const at = msg.indexOf(name, 21);
  const valueAt = at + Buffer.byteLength(name) + 1;
  if (at < 0 || msg[at - 1] !== 2 || valueAt + 4 > msg.length) return name;
  const len = msg.readInt32LE(valueAt);
  return `${name} ${msg.toString("utf8", valueAt + 4, valueAt + 4 + Math.max(0, Math.min(len - 1, 200)))}`;
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

/** When the write holding the mutex started waiting for its reply (undefined: none in flight). */
interface WriteClock {
  since: number | undefined;
  what: string;
}

function pipeConnection(client: Socket, upstreamPort: number, mutex: Mutex, clock: WriteClock): void {
  const upstream = connect({ host: "127.0.0.1", port: upstreamPort });
  // Replies still owed by the server on this connection, and who waits for them all to arrive.
  let outstanding = 0;
  let waiters: (() => void)[] = [];
  const wakeAll = () => {
    const ws = waiters;
    waiters = [];
    for (const w of ws) w();
  };
  const settled = () => (outstanding === 0 ? Promise.resolve() : new Promise<void>((r) => waiters.push(r)));
  const queue: Buffer[] = [];
  let busy = false;
  let closed = false;
  const close = () => {
    closed = true;
    client.destroy();
    upstream.destroy();
    outstanding = 0;
    wakeAll();
  };
  // A client that dies with a command in flight (SIGKILL mid-bulk-write): FerretDB's SQLite backend
  // can hang for good when its connection is closed mid-write (measured: every later write, on any
  // database, waits forever). So let FerretDB finish and answer into the void, then close upstream.
  let clientGone = false;
  const clientClosed = () => {
    if (clientGone) return;
    clientGone = true;
    closed = true;
    client.destroy();
    if (outstanding === 0) return close();
    const timer = setTimeout(close, 120_000);
    void settled().then(() => {
      clearTimeout(timer);
      close();
    });
  };
  client.on("error", clientClosed).on("close", clientClosed);
  upstream.on("error", close).on("close", close);

  upstream.on(
    "data",
    framer((msg) => {
      if (!client.destroyed) client.write(msg);
      const more = msg.readInt32LE(12) === OP_MSG && (msg.readUInt32LE(16) & MORE_TO_COME) !== 0;
      if (more || outstanding === 0) return;
      outstanding -= 1;
      if (outstanding === 0) wakeAll();
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
        clock.since = Date.now();
        clock.what = commandTarget(msg);
        upstream.write(msg);
        await settled();
      } finally {
        clock.since = undefined;
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

export interface SerializerOptions {
  /** A write unanswered this long means FerretDB is stuck (default 0: never checked). */
  stallMs?: number;
  /** Called once per stall; the supervisor restarts FerretDB, which closes every upstream connection. */
  onStall?: (waitedMs: number, what: string) => void;
}

/** Listens on 127.0.0.1:`port` (0 = any free port) and forwards to 127.0.0.1:`upstreamPort`. */
export function startWriteSerializer(
  port: number,
  upstreamPort: number,
  opts: SerializerOptions = {},
): Promise<Server> {
  const mutex = new Mutex();
  const clock: WriteClock = { since: undefined, what: "" };
  const server = createServer((sock) => pipeConnection(sock, upstreamPort, mutex, clock));
  if (opts.stallMs && opts.onStall) {
    const { stallMs, onStall } = opts;
    let reported: number | undefined;
    const timer = setInterval(
      () => {
        const since = clock.since;
        if (since === undefined || since === reported || Date.now() - since < stallMs) return;
        reported = since;
        onStall(Date.now() - since, clock.what);
      },
      Math.min(1_000, stallMs / 4),
    );
    timer.unref();
    server.once("close", () => clearInterval(timer));
  }
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve(server));
  });
}
