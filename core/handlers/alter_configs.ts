// AlterConfigs: each resource's configs become the ones given (alter_config_resource.ts), or are
// only checked with validateOnly. Per-resource errors; a resource named twice is INVALID_REQUEST.
import { alterConfigsApi } from '../protocol/messages/alter_configs.js';
import { alterConfigResource } from './alter_config_resource.js';
import { answerPerResource } from './config_resources.js';
import { defineHandler } from './handler.js';

export const alterConfigs = defineHandler({
  api: alterConfigsApi,
  async handle(ctx, request) {
    const responses = await answerPerResource(request.resources, (resource) =>
      alterConfigResource(ctx, resource.resourceType, resource.resourceName, { kind: 'replace', configs: resource.configs }, request.validateOnly),
    );
    return { throttleTimeMs: 0, responses };
  },
});
