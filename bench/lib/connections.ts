/**
 * Counts the TCP connections this process opens, by destination port, through
 * Node's `net.client.socket` diagnostics channel (every client socket: fetch,
 * the AWS SDK's HTTP handler, anything). With keep-alive working, a warm
 * process opens none per journey: every request rides an existing socket.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { Socket } from 'node:net';

const CHANNEL = 'net.client.socket';

function isSocketMessage(message: unknown): message is { socket: Socket } {
  return typeof message === 'object' && message !== null && 'socket' in message;
}

export class ConnectionCounter {
  #byPort = new Map<number, number>();
  readonly #listener = (message: unknown) => {
    if (!isSocketMessage(message)) return;
    const { socket } = message;
    socket.once('connect', () => {
      const port = socket.remotePort;
      if (port !== undefined) this.#byPort.set(port, (this.#byPort.get(port) ?? 0) + 1);
    });
  };

  start(): void {
    subscribe(CHANNEL, this.#listener);
  }

  stop(): void {
    unsubscribe(CHANNEL, this.#listener);
  }

  /** Connections opened since the last take(), by port, and a fresh start. */
  take(): Map<number, number> {
    const counts = this.#byPort;
    this.#byPort = new Map();
    return counts;
  }
}
