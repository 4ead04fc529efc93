// The per-resource answer of AlterConfigs and IncrementalAlterConfigs: each resource altered on
// its own, its error (a LanesError's code and message) in its own entry. A resource named twice
// in one request is refused, both times, with INVALID_REQUEST, as Kafka does.
import { ErrorCode, LanesError } from '../errors.js';
import { errorCodeOf, errorMessageOf } from './errors.js';

interface Resource {
  resourceType: number;
  resourceName: string;
}

export interface ResourceAnswer {
  errorCode: number;
  errorMessage: string | null;
  resourceType: number;
  resourceName: string;
}

export async function answerPerResource<R extends Resource>(resources: readonly R[], alter: (resource: R) => Promise<void>): Promise<ResourceAnswer[]> {
  const key = (resource: Resource) => `${resource.resourceType}:${resource.resourceName}`;
  const counts = new Map<string, number>();
  for (const resource of resources) counts.set(key(resource), (counts.get(key(resource)) ?? 0) + 1);
  return Promise.all(
    resources.map(async (resource) => {
      const { resourceType, resourceName } = resource;
      try {
        if (counts.get(key(resource))! > 1) throw new LanesError(ErrorCode.INVALID_REQUEST, 'the resource appears more than once in the request');
        await alter(resource);
        return { errorCode: ErrorCode.NONE, errorMessage: null, resourceType, resourceName };
      } catch (error) {
        return { errorCode: errorCodeOf(error), errorMessage: errorMessageOf(error), resourceType, resourceName };
      }
    }),
  );
}
