// The error codes a response body carries, wherever the API puts them: top level (ApiVersions,
// JoinGroup), per topic (CreateTopics), per partition (Produce, Fetch), per group (DescribeGroups).
// Every Kafka schema names the field `errorCode`, so one walk over the decoded body finds them
// all without a table per API. Used for the request-error metrics; walks plain objects and
// arrays only (record data is a Uint8Array and is skipped), and allocates nothing unless an error
// is found.

/** Calls `visit` with each non-zero `errorCode` in `body`, depth first. */
export function forEachResponseError(body: unknown, visit: (code: number) => void): void {
  if (body === null || typeof body !== 'object' || ArrayBuffer.isView(body)) return;
  if (Array.isArray(body)) {
    for (const item of body) forEachResponseError(item, visit);
    return;
  }
  for (const key in body) {
    const value = (body as Record<string, unknown>)[key];
    if (key === 'errorCode') {
      if (typeof value === 'number' && value !== 0) visit(value);
    } else if (value !== null && typeof value === 'object') {
      forEachResponseError(value, visit);
    }
  }
}
