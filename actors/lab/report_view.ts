// TEMPORARY mirror of core/lab/report.ts's LabReport until branch s6-labv lands it.
export interface LabReport {
  scenario: { name: string; description: string; durationMs: number };
  engine: 'virtual' | 'real';
  seed: number;
  scale?: number;
  variant?: string;
  sampleEveryMs: number;
  series: {
    time: number[];
    lagByPartition: Record<string, number[]>;
    lagByMember: Record<string, number[]>;
    throughputByMember: Record<string, number[]>;
    producedPerSec: number[];
  };
  rebalances: Array<{ startMs: number; endMs: number; group: string; trigger: string; membersWithoutPartitionsMs: Record<string, number> }>;
  summary: { maxBacklog: number; finalBacklog: number; recordsProduced: number; recordsProcessed: number; processedTwice: number; skipped: number; idleMembers: string[]; rebalanceCount: number };
  assignments: Array<{ atMs: number; group: string; byMember: Record<string, string[]> }>;
}
