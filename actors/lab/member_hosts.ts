// The member host threads of a real-time lab run (member_host.ts), seen from the engine: started
// on demand up to `threads`, each new member added to the next in turn (so a group's members sit
// on different threads), commands sent to the thread that holds the member, what members say
// handed to `onMessage`. A thread that fails fails every member on it.
import type { Worker } from 'node:worker_threads';
import { spawnWorker } from '../spawn.js';
import type { HostCommand, HostMessage, MemberMessage, MemberSettings } from './member_protocol.js';

/** A member's life as its thread reports it. */
export interface HostedMember {
  /** Made on its thread and waiting to start; rejects if its thread failed first. */
  readonly ready: Promise<void>;
  /** Left after a `leave` (or its thread is gone). */
  readonly left: Promise<void>;
}

interface Handles {
  readonly added: () => void;
  readonly failed: (error: Error) => void;
  readonly left: () => void;
}

export class MemberHosts {
  readonly #threads: number;
  readonly #onMessage: (key: string, message: Exclude<MemberMessage, { type: 'left' }>) => void;
  readonly #onFailure: (key: string, error: Error) => void;
  readonly #hosts: Worker[] = [];
  readonly #hostOf = new Map<string, Worker>();
  readonly #handles = new Map<string, Handles>();
  #terminating = false;

  /** `onFailure`: a member's thread failed (its `ready` rejects too if it had not started). */
  constructor(threads: number, onMessage: (key: string, message: Exclude<MemberMessage, { type: 'left' }>) => void, onFailure: (key: string, error: Error) => void) {
    this.#threads = Math.max(1, threads);
    this.#onMessage = onMessage;
    this.#onFailure = onFailure;
  }

  /** Makes the member (its client, not connected) on the next thread in turn. */
  add(key: string, settings: MemberSettings): HostedMember {
    if (this.#hosts.length < this.#threads) this.#hosts.push(this.#start());
    const host = this.#hosts[this.#hostOf.size % this.#threads];
    let added!: () => void;
    let failed!: (error: Error) => void;
    let left!: () => void;
    const ready = new Promise<void>((resolve, reject) => ((added = resolve), (failed = reject)));
    // A member that failed before the run started is reported through `ready`; later ones end with the run.
    ready.catch(() => {});
    const leftPromise = new Promise<void>((resolve) => (left = resolve));
    this.#hostOf.set(key, host);
    this.#handles.set(key, { added, failed, left });
    host.postMessage({ type: 'add', key, settings } satisfies HostCommand);
    return { ready, left: leftPromise };
  }

  send(command: Exclude<HostCommand, { type: 'add' }>): void {
    this.#hostOf.get(command.key)?.postMessage(command);
  }

  async terminate(): Promise<void> {
    this.#terminating = true;
    await Promise.all(this.#hosts.map((host) => host.terminate()));
  }

  #start(): Worker {
    const host = spawnWorker(new URL(`./member_host.${import.meta.url.endsWith('.ts') ? 'ts' : 'js'}`, import.meta.url));
    host.on('message', ({ key, message }: HostMessage) => {
      if (message.type === 'added') this.#handles.get(key)?.added();
      else if (message.type === 'left') this.#handles.get(key)?.left();
      else this.#onMessage(key, message);
    });
    const fail = (why: string) => {
      for (const [key, owner] of this.#hostOf) {
        if (owner !== host) continue;
        const error = new Error(`lab member ${key} ${why}`);
        this.#handles.get(key)?.failed(error);
        this.#handles.get(key)?.left();
        this.#onFailure(key, error);
      }
    };
    host.on('error', (error) => fail(`failed: ${error.message}`));
    host.on('exit', () => {
      if (!this.#terminating) fail('stopped: its thread exited');
    });
    return host;
  }
}
