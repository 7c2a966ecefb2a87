// A MongoDB wire-protocol proxy that runs write commands one at a time.
//
// FerretDB 1.x executes findAndModify and update as "query, then write" without a transaction
// (upstream's TODO FerretDB#2168), so two clients racing on one document both win: two Agenda
// workers lock the same job and $inc loses increments. Running the write commands on a collection
// one at a time across all connections restores the per-document atomicity MongoDB guarantees (a
// document lives in one collection); writes to different collections overlap, and SQLite still
// commits them one by one. Reads pass through.
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

/**
 * The lock a write command takes: its collection ("update agendaJobs": "agendaJobs"), or "*" for
 * every collection when it cannot be told (a compressed message, a command without a collection
 * name); undefined for a command that is not a write.
 */
export function writeLockKey(msg: Buffer): string | undefined {
  const opCode = msg.readInt32LE(12);
  if (opCode !== OP_MSG) return opCode === 2012 ? "*" : undefined; // compressed: cannot tell, so be safe
  const name = commandName(msg);
  if (name === undefined || !WRITES.has(name.toLowerCase())) return undefined;
  const target = commandTarget(msg);
  return target.length > name.length ? target.slice(name.length + 1) : "*";
}

/** FIFO locks by collection; "*" waits for every collection's writes and holds them all. */
export class CollectionLocks {
  private tails = new Map<string, Promise<void>>();
  private all: Promise<void> = Promise.resolve();

  lock(key: string): Promise<() => void> {
    let release!: () => void;
    const held = new Promise<void>((r) => {
      release = r;
    });
    if (key === "*") {
      const before = Promise.all([this.all, ...this.tails.values()]).then(() => {});
      this.all = before.then(() => held);
      this.tails.clear();
      return before.then(() => release);
    }
    const before = Promise.all([this.all, this.tails.get(key)]).then(() => {});
    const tail = before.then(() => held);
    this.tails.set(key, tail);
    // Forget a collection nobody waits on, so the map stays small.
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return before.then(() => release);
  }
}

/** The writes waiting for their reply, by when they were sent (the stall watchdog reads the oldest). */
type WriteClock = Map<object, { since: number; what: string }>;

function pipeConnection(
  client: Socket,
  upstreamPort: number,
  locks: CollectionLocks,
  clock: WriteClock,
): void {
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
      const key = writeLockKey(msg);
      if (key === undefined) {
        if (expectsReply) outstanding += 1;
        upstream.write(msg);
        continue;
      }
      await settled();
      const release = await locks.lock(key);
      if (closed) {
        release(); // never hold a lock for a connection that is gone
        break;
      }
      const token = {};
      try {
        if (expectsReply) outstanding += 1;
        clock.set(token, { since: Date.now(), what: commandTarget(msg) });
        upstream.write(msg);
        await settled();
      } finally {
        clock.delete(token);
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
  const locks = new CollectionLocks();
  const clock: WriteClock = new Map();
  const server = createServer((sock) => pipeConnection(sock, upstreamPort, locks, clock));
  if (opts.stallMs && opts.onStall) {
    const { stallMs, onStall } = opts;
    let reported: number | undefined;
    const timer = setInterval(
      () => {
        let oldest: { since: number; what: string } | undefined;
        for (const w of clock.values()) if (!oldest || w.since < oldest.since) oldest = w;
        if (!oldest || oldest.since === reported || Date.now() - oldest.since < stallMs) return;
        reported = oldest.since;
        onStall(Date.now() - oldest.since, oldest.what);
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
