/**
 * The part of a Redis client that the cluster adapters use, declared structurally (as
 * `PostgresPool` is): core imports no driver, and the composition root passes an
 * `ioredis` client in. Two connections are needed, because a connection that
 * subscribes to channels can run no other command.
 */
export interface RedisCommands {
  /** Runs one command; replies come back as strings (bulk replies) or numbers. */
  call(command: string, ...args: (string | number | Buffer)[]): Promise<unknown>;
  /** Runs one command; bulk replies come back as Buffers. */
  callBuffer(command: string, ...args: (string | number | Buffer)[]): Promise<unknown>;
  /** Connection events: `ready` after every (re)connection, `close` when it drops, `error`. */
  on(event: string, listener: (...args: never[]) => void): unknown;
}

/** A connection in subscriber mode. */
export interface RedisSubscriber {
  /** `ready` once connected (ioredis). */
  readonly status?: string;
  subscribe(...channels: string[]): Promise<unknown>;
  /** `message` (channel, text), and the connection events of RedisCommands. */
  on(event: string, listener: (...args: never[]) => void): unknown;
}

/** The two connections of one instance, and the prefix of every key and channel it uses. */
export interface RedisConnections {
  readonly commands: RedisCommands;
  readonly subscriber: RedisSubscriber;
  /** Keeps clusters that share one Redis apart (e.g. `tandem:<database>:`). */
  readonly prefix: string;
}
