// A member host thread of a real-time `lanes lab` run: several group members (lab_member.ts), each
// with its own client and sockets, driven by the engine's commands (member_protocol.ts). Members
// share a thread so that a design with a hundred members needs a few threads, not a hundred
// isolates; a killed member's sockets are closed while the others on the thread go on.
import { parentPort } from 'node:worker_threads';
import { LabMember } from './lab_member.js';
import type { HostCommand, HostMessage } from './member_protocol.js';

const port = parentPort!;
const members = new Map<string, LabMember>();

port.on('message', (command: HostCommand) => {
  if (command.type === 'add') {
    const key = command.key;
    members.set(key, new LabMember(command.settings, (message) => port.postMessage({ key, message } satisfies HostMessage)));
    port.postMessage({ key, message: { type: 'added' } } satisfies HostMessage);
    return;
  }
  const member = members.get(command.key);
  if (member === undefined) return;
  switch (command.type) {
    case 'start':
      // A member that cannot start fails the thread: the engine reports it and ends the run.
      member.start().catch((error: unknown) => {
        if (!member.killed) throw error;
      });
      return;
    case 'slow':
      member.slow(command.factor);
      return;
    case 'leave':
      void member.leave();
      return;
    case 'kill':
      member.kill();
      return;
  }
});
