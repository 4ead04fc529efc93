// Goal: the globalSetup helper starts a usable broker and its teardown stops it.
import { describe, expect, it } from 'vitest';
import setup, { lanesForTests } from '../../../actors/testing/global_setup.js';

describe('testing/global_setup', () => {
  it('starts a broker the tests can use, and stops it', async () => {
    const teardown = await setup();
    const kafka = lanesForTests().kafka({ clientId: 'setup' });
    const producer = kafka.producer();
    await producer.connect();
    const [metadata] = await producer.send({ topic: 'auto-created', messages: [{ value: 'x' }] });
    expect(metadata.baseOffset).toBe('0');
    await teardown();
    expect(() => lanesForTests()).toThrow(/no Lanes broker/);
  });
});
