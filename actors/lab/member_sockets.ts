// The sockets of one lab member's client, so that `kill` can cut them all at once: what a SIGKILL
// leaves the broker with. The member's sockets close with nothing said (no LeaveGroup, no last
// commit), and every connection its client tries afterwards is refused, so its session has to
// expire while the other members on the same thread go on.
import { connect, Socket } from 'node:net';
import type { SocketFactory } from '../net/kafka_client.js';

export class MemberSockets {
  readonly #open = new Set<Socket>();
  #killed = false;

  /** The client's socketFactory. */
  readonly factory: SocketFactory = ({ host, port, onConnect }) => {
    if (this.#killed) {
      const refused = new Socket();
      // Emitted after the caller listens for it, as a refused connect would be.
      process.nextTick(() => refused.destroy(Object.assign(new Error('connect ECONNREFUSED (the member was killed)'), { code: 'ECONNREFUSED' })));
      return refused;
    }
    const socket = connect({ host, port }, onConnect);
    this.#open.add(socket);
    socket.once('close', () => this.#open.delete(socket));
    return socket;
  };

  get killed(): boolean {
    return this.#killed;
  }

  get openCount(): number {
    return this.#open.size;
  }

  /** Every socket closed now, as the kernel closes a killed process's, and none opened again. */
  kill(): void {
    this.#killed = true;
    for (const socket of this.#open) socket.destroy();
    this.#open.clear();
  }
}
