export declare function seededRecords(seed: number, recordCount: number, valueBytes: number, timestamp?: number): { key: null; value: Uint8Array; timestamp: number }[];
