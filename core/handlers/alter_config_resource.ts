// What AlterConfigs and IncrementalAlterConfigs do to one resource, shared by both handlers and
// the embedded admin. A topic's new set of configs is worked out and checked in full (each value,
// then the log settings together) before anything changes; validateOnly stops there. The broker
// resource has no config that can change while Lanes runs (broker_config.ts).
import { ErrorCode, LanesError, quoted } from '../errors.js';
import { brokerConfigEntries, checkBrokerName } from './broker_config.js';
import { ResourceType } from './describe_configs.js';
import type { BrokerFacade, ServerSettings } from './handler.js';
import { checkLogCanHonour, checkTopicConfigValue, configOfOverrides, topicConfigDef, type TopicConfigOverrides } from './topic_config.js';

/** IncrementalAlterConfigs's operations. */
export const ConfigOperation = { SET: 0, DELETE: 1, APPEND: 2, SUBTRACT: 3 } as const;

export type ConfigChanges =
  /** AlterConfigs: these become the resource's configs; any other goes back to its default. */
  | { kind: 'replace'; configs: readonly { name: string; value: string | null }[] }
  /** IncrementalAlterConfigs: each operation applied in order to the current configs. */
  | { kind: 'incremental'; configs: readonly { name: string; configOperation: number; value: string | null }[] };

export interface AlterHost {
  readonly broker: Pick<BrokerFacade, 'describeTopic' | 'topicConfigDefaults' | 'alterTopicConfigs'>;
  readonly settings: ServerSettings;
}

/** Changes one resource's configs (or only checks them); throws LanesError with Kafka's code. */
export async function alterConfigResource(host: AlterHost, resourceType: number, resourceName: string, changes: ConfigChanges, validateOnly: boolean): Promise<void> {
  const seen = new Set<string>();
  for (const { name } of changes.configs) {
    if (seen.has(name)) throw new LanesError(ErrorCode.INVALID_REQUEST, `config ${quoted(name)} appears more than once`);
    seen.add(name);
  }
  if (resourceType === ResourceType.broker) {
    const refusal = checkBrokerName(host.settings, resourceName);
    if (refusal !== null) throw new LanesError(ErrorCode.INVALID_REQUEST, refusal);
    if (changes.configs.length === 0) return;
    const known = new Set(brokerConfigEntries(host.settings, host.broker.topicConfigDefaults).map((entry) => entry.name));
    const name = changes.configs[0].name;
    throw new LanesError(
      ErrorCode.INVALID_REQUEST,
      known.has(name) ? `broker config ${quoted(name)} cannot be updated dynamically: Lanes reads it at start (lanes start flags)` : `unknown broker config ${quoted(name)}`,
    );
  }
  if (resourceType !== ResourceType.topic) throw new LanesError(ErrorCode.INVALID_REQUEST, `resource type ${resourceType} is not supported`);
  const topic = host.broker.describeTopic(resourceName);
  if (topic === undefined) throw new LanesError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `topic ${quoted(resourceName)} does not exist`);
  const overrides = changes.kind === 'replace' ? replaced(changes.configs) : incremented(topic.overrides, changes.configs, host.broker.topicConfigDefaults);
  checkLogCanHonour({ ...host.broker.topicConfigDefaults, ...configOfOverrides(overrides) });
  if (validateOnly) return;
  await host.broker.alterTopicConfigs(resourceName, overrides);
}

function replaced(configs: readonly { name: string; value: string | null }[]): Record<string, string> {
  const overrides: Record<string, string> = {};
  for (const { name, value } of configs) overrides[name] = checkTopicConfigValue(name, value);
  return overrides;
}

function incremented(
  current: TopicConfigOverrides,
  configs: readonly { name: string; configOperation: number; value: string | null }[],
  defaults: BrokerFacade['topicConfigDefaults'],
): Record<string, string> {
  const overrides: Record<string, string> = { ...current };
  for (const { name, configOperation, value } of configs) {
    const d = topicConfigDef(name);
    if (d === undefined) throw new LanesError(ErrorCode.INVALID_CONFIG, `unknown topic config ${quoted(name)}`);
    switch (configOperation) {
      case ConfigOperation.SET:
        overrides[name] = checkTopicConfigValue(name, value);
        break;
      case ConfigOperation.DELETE:
        delete overrides[name];
        break;
      case ConfigOperation.APPEND:
      case ConfigOperation.SUBTRACT: {
        if (d.type !== 'LIST') throw new LanesError(ErrorCode.INVALID_CONFIG, `config ${name} is not a list: ${configOperation === ConfigOperation.APPEND ? 'APPEND' : 'SUBTRACT'} applies to list configs only`);
        const now = overrides[name] ?? (d.field === undefined ? d.kafkaDefault : String(defaults[d.field]));
        const items = splitList(now);
        const given = splitList(value ?? '');
        const next = configOperation === ConfigOperation.APPEND ? [...items, ...given.filter((item) => !items.includes(item))] : items.filter((item) => !given.includes(item));
        overrides[name] = checkTopicConfigValue(name, next.join(','));
        break;
      }
      default:
        throw new LanesError(ErrorCode.INVALID_REQUEST, `config operation ${configOperation} for ${quoted(name)} is not one of 0 SET, 1 DELETE, 2 APPEND, 3 SUBTRACT`);
    }
  }
  return overrides;
}

function splitList(value: string): string[] {
  return value.split(',').map((item) => item.trim()).filter((item) => item !== '');
}
