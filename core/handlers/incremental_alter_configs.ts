// IncrementalAlterConfigs: SET, DELETE, APPEND or SUBTRACT each named config of each resource
// (alter_config_resource.ts), or only check with validateOnly. Per-resource errors; a resource
// named twice is INVALID_REQUEST.
import { incrementalAlterConfigsApi } from '../protocol/messages/incremental_alter_configs.js';
import { alterConfigResource } from './alter_config_resource.js';
import { answerPerResource } from './config_resources.js';
import { defineHandler } from './handler.js';

export const incrementalAlterConfigs = defineHandler({
  api: incrementalAlterConfigsApi,
  async handle(ctx, request) {
    const responses = await answerPerResource(request.resources, (resource) =>
      alterConfigResource(ctx, resource.resourceType, resource.resourceName, { kind: 'incremental', configs: resource.configs }, request.validateOnly),
    );
    return { throttleTimeMs: 0, responses };
  },
});
