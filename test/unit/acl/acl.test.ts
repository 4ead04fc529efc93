// ACL rules as Kafka's StandardAuthorizer applies them: patterns (literal, `*`, prefixed),
// principals and hosts with wildcards, DENY over ALLOW, the operations that imply DESCRIBE, super
// users, and nothing allowed without a matching ALLOW. Then what the three ACL APIs do to the
// store: create (validated, idempotent, bounded), describe and delete by filter.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  AclOperation,
  AclPermission,
  PatternType,
  ResourceType,
  type AclBinding,
  type AclFilter,
  type AclOperationCode,
} from '../../../core/acl/acl.js';
import { AclStore } from '../../../core/acl/acl_store.js';
import { aclBindingsMax } from '../../../core/limits.js';

const alice = { principal: 'User:alice', host: '10.0.0.1' };
const bob = { principal: 'User:bob', host: '10.0.0.2' };

function topicAcl(fields: Partial<AclBinding> = {}): AclBinding {
  return {
    resourceType: ResourceType.TOPIC,
    resourceName: 'orders',
    patternType: PatternType.LITERAL,
    principal: 'User:alice',
    host: '*',
    operation: AclOperation.READ,
    permission: AclPermission.ALLOW,
    ...fields,
  };
}

const anyFilter: AclFilter = {
  resourceType: ResourceType.ANY,
  resourceName: null,
  patternType: PatternType.ANY,
  principal: null,
  host: null,
  operation: AclOperation.ANY,
  permission: AclPermission.ANY,
};

function storeWith(...bindings: AclBinding[]): AclStore {
  const store = new AclStore([]);
  expect(store.create(bindings)).toEqual(bindings.map(() => null));
  return store;
}

describe('authorize', () => {
  it('allows nothing without a matching ALLOW, and only what the ALLOW names', () => {
    const store = storeWith(topicAcl());
    expect(store.authorize(alice, AclOperation.READ, ResourceType.TOPIC, 'orders')).toBe(true);
    expect(store.authorize(alice, AclOperation.WRITE, ResourceType.TOPIC, 'orders')).toBe(false);
    expect(store.authorize(alice, AclOperation.READ, ResourceType.TOPIC, 'invoices')).toBe(false);
    expect(store.authorize(bob, AclOperation.READ, ResourceType.TOPIC, 'orders')).toBe(false);
    expect(store.authorize(alice, AclOperation.READ, ResourceType.GROUP, 'orders')).toBe(false);
    expect(new AclStore([]).authorize(alice, AclOperation.READ, ResourceType.TOPIC, 'orders')).toBe(false);
  });

  it('reads LITERAL "*" as every name and PREFIXED as every name starting with it', () => {
    const store = storeWith(topicAcl({ resourceName: '*' }), topicAcl({ resourceName: 'billing.', patternType: PatternType.PREFIXED, operation: AclOperation.WRITE }));
    expect(store.authorize(alice, AclOperation.READ, ResourceType.TOPIC, 'anything')).toBe(true);
    expect(store.authorize(alice, AclOperation.WRITE, ResourceType.TOPIC, 'billing.invoices')).toBe(true);
    expect(store.authorize(alice, AclOperation.WRITE, ResourceType.TOPIC, 'billing')).toBe(false);
    expect(store.authorize(alice, AclOperation.WRITE, ResourceType.TOPIC, 'orders')).toBe(false);
  });

  it('matches User:* for every principal and a host only when equal or *', () => {
    const store = storeWith(topicAcl({ principal: 'User:*', host: '10.0.0.1' }));
    expect(store.authorize(alice, AclOperation.READ, ResourceType.TOPIC, 'orders')).toBe(true);
    expect(store.authorize({ principal: 'User:bob', host: '10.0.0.1' }, AclOperation.READ, ResourceType.TOPIC, 'orders')).toBe(true);
    expect(store.authorize(bob, AclOperation.READ, ResourceType.TOPIC, 'orders')).toBe(false);
  });

  it('lets a DENY win over any ALLOW, but deny only its own operation (or ALL)', () => {
    const store = storeWith(
      topicAcl({ operation: AclOperation.ALL }),
      topicAcl({ resourceName: 'orders', operation: AclOperation.WRITE, permission: AclPermission.DENY }),
    );
    expect(store.authorize(alice, AclOperation.WRITE, ResourceType.TOPIC, 'orders')).toBe(false);
    expect(store.authorize(alice, AclOperation.READ, ResourceType.TOPIC, 'orders')).toBe(true);
    const denyAll = storeWith(topicAcl({ operation: AclOperation.READ }), topicAcl({ resourceName: 'ord', patternType: PatternType.PREFIXED, principal: 'User:*', operation: AclOperation.ALL, permission: AclPermission.DENY }));
    expect(denyAll.authorize(alice, AclOperation.READ, ResourceType.TOPIC, 'orders')).toBe(false);
  });

  it('implies DESCRIBE from READ, WRITE, DELETE or ALTER, and DESCRIBE_CONFIGS from ALTER_CONFIGS', () => {
    for (const operation of [AclOperation.READ, AclOperation.WRITE, AclOperation.DELETE, AclOperation.ALTER]) {
      expect(storeWith(topicAcl({ operation })).authorize(alice, AclOperation.DESCRIBE, ResourceType.TOPIC, 'orders')).toBe(true);
    }
    expect(storeWith(topicAcl({ operation: AclOperation.CREATE })).authorize(alice, AclOperation.DESCRIBE, ResourceType.TOPIC, 'orders')).toBe(false);
    const configs = storeWith(topicAcl({ operation: AclOperation.ALTER_CONFIGS }));
    expect(configs.authorize(alice, AclOperation.DESCRIBE_CONFIGS, ResourceType.TOPIC, 'orders')).toBe(true);
    expect(configs.authorize(alice, AclOperation.DESCRIBE, ResourceType.TOPIC, 'orders')).toBe(false);
    // A DENY of READ does not deny the DESCRIBE that WRITE implies.
    const mixed = storeWith(topicAcl({ operation: AclOperation.WRITE }), topicAcl({ operation: AclOperation.READ, permission: AclPermission.DENY }));
    expect(mixed.authorize(alice, AclOperation.DESCRIBE, ResourceType.TOPIC, 'orders')).toBe(true);
  });

  it('allows super users everything, whatever the bindings say', () => {
    const store = new AclStore(['User:admin'], [topicAcl({ principal: 'User:*', operation: AclOperation.ALL, permission: AclPermission.DENY })]);
    expect(store.authorize({ principal: 'User:admin', host: '1.2.3.4' }, AclOperation.WRITE, ResourceType.TOPIC, 'orders')).toBe(true);
    expect(store.authorize(alice, AclOperation.WRITE, ResourceType.TOPIC, 'orders')).toBe(false);
  });

  it('never lets an ALLOW added for someone else, or for another operation, change an answer (property)', () => {
    const operations = [AclOperation.READ, AclOperation.WRITE, AclOperation.CREATE, AclOperation.DELETE, AclOperation.ALTER, AclOperation.DESCRIBE] as const;
    const binding = fc.record({
      resourceName: fc.constantFrom('orders', 'ord', 'invoices', '*'),
      patternType: fc.constantFrom(PatternType.LITERAL, PatternType.PREFIXED),
      principal: fc.constantFrom('User:alice', 'User:bob', 'User:*'),
      host: fc.constantFrom('*', '10.0.0.1', '10.0.0.2'),
      operation: fc.constantFrom(...operations, AclOperation.ALL),
      permission: fc.constantFrom(AclPermission.ALLOW, AclPermission.DENY),
    });
    fc.assert(
      fc.property(fc.array(binding, { maxLength: 12 }), fc.constantFrom(...operations), fc.constantFrom('orders', 'ordinal', 'invoices'), (bindings, operation: AclOperationCode, name) => {
        const base = new AclStore([], bindings.map((b) => ({ ...b, resourceType: ResourceType.TOPIC })));
        const before = base.authorize(alice, operation, ResourceType.TOPIC, name);
        // An ALLOW for bob only, from bob's host only.
        base.create([topicAcl({ principal: 'User:bob', host: '10.0.0.2', resourceName: name, operation: AclOperation.ALL })]);
        expect(base.authorize(alice, operation, ResourceType.TOPIC, name)).toBe(before);
        // Any DENY of this operation for alice on a covering pattern refuses.
        base.create([topicAcl({ resourceName: name, operation, permission: AclPermission.DENY })]);
        expect(base.authorize(alice, operation, ResourceType.TOPIC, name)).toBe(false);
      }),
      { seed: 20261202, numRuns: 300 },
    );
  });
});

describe('AclStore', () => {
  it('refuses bindings Kafka refuses, with the reason, and stores the rest', () => {
    const store = new AclStore([]);
    const outcomes = store.create([
      topicAcl({ resourceType: ResourceType.ANY }),
      topicAcl({ patternType: PatternType.MATCH }),
      topicAcl({ resourceName: '' }),
      topicAcl({ principal: 'alice' }),
      topicAcl({ operation: AclOperation.ANY }),
      topicAcl({ permission: AclPermission.ANY }),
      topicAcl({ resourceType: ResourceType.CLUSTER, resourceName: 'my-cluster' }),
      topicAcl({ host: '' }),
      topicAcl(),
    ]);
    expect(outcomes.slice(0, 8).every((reason) => typeof reason === 'string' && reason.length > 0)).toBe(true);
    expect(outcomes[8]).toBeNull();
    expect(store.bindings()).toEqual([topicAcl()]);
  });

  it('takes an existing binding again as a success that changes nothing', () => {
    const store = storeWith(topicAcl());
    expect(store.create([topicAcl()])).toEqual([null]);
    expect(store.bindings()).toHaveLength(1);
  });

  it('stops at the bound, answering why', () => {
    const store = new AclStore([]);
    const many = Array.from({ length: aclBindingsMax }, (_, index) => topicAcl({ resourceName: `t${index}` }));
    store.create(many);
    expect(store.create([topicAcl({ resourceName: 'one-more' })])[0]).toMatch(/limit/);
    expect(store.bindings()).toHaveLength(aclBindingsMax);
  });

  it('describes and deletes by filter: ANY, MATCH against patterns, exact pattern types', () => {
    const literal = topicAcl();
    const prefixed = topicAcl({ resourceName: 'ord', patternType: PatternType.PREFIXED });
    const wildcard = topicAcl({ resourceName: '*', principal: 'User:bob' });
    const group = topicAcl({ resourceType: ResourceType.GROUP, resourceName: 'g' });
    const store = storeWith(literal, prefixed, wildcard, group);
    const described = (filter: Partial<AclFilter>) => {
      const outcome = store.describe({ ...anyFilter, ...filter });
      if ('error' in outcome) throw new Error(outcome.error);
      return outcome.bindings;
    };
    expect(described({})).toEqual([literal, prefixed, wildcard, group]);
    expect(described({ resourceType: ResourceType.TOPIC, resourceName: 'orders', patternType: PatternType.MATCH })).toEqual([literal, prefixed, wildcard]);
    expect(described({ resourceName: 'orders', patternType: PatternType.ANY })).toEqual([literal]);
    expect(described({ patternType: PatternType.PREFIXED })).toEqual([prefixed]);
    expect(described({ principal: 'User:bob' })).toEqual([wildcard]);
    expect(store.describe({ ...anyFilter, operation: 99 })).toHaveProperty('error');

    const [removed, refused] = store.delete([{ ...anyFilter, resourceType: ResourceType.TOPIC, principal: 'User:alice' }, { ...anyFilter, resourceType: 0 }]);
    expect(removed).toEqual({ removed: [literal, prefixed] });
    expect(refused).toHaveProperty('error');
    expect(store.bindings()).toEqual([wildcard, group]);
    expect(store.authorize(alice, AclOperation.READ, ResourceType.TOPIC, 'orders')).toBe(false);
  });

  it('drops saved bindings that are no longer valid when it starts from them', () => {
    const store = new AclStore([], [topicAcl(), topicAcl({ principal: 'nobody' })]);
    expect(store.bindings()).toEqual([topicAcl()]);
  });
});
