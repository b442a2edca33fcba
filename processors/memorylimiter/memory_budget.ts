// Where the memory limit comes from: MiB given outright, or a percentage of the container's limit (cgroup v2,
// then v1), or of the machine's memory when no container limit is set.
import { readFileSync } from 'node:fs';
import os from 'node:os';

const MIB = 1024 * 1024;

function cgroupLimitBytes(): number | undefined {
  for (const file of ['/sys/fs/cgroup/memory.max', '/sys/fs/cgroup/memory/memory.limit_in_bytes']) {
    try {
      const text = readFileSync(file, 'utf8').trim();
      const bytes = Number(text);
      // "max" (v2) or a near-2^63 number (v1) means no limit.
      if (Number.isFinite(bytes) && bytes > 0 && bytes < os.totalmem()) return bytes;
    } catch {
      // Not in a cgroup with a memory controller: try the next, then fall back.
    }
  }
  return undefined;
}

export function availableMemoryBytes(): number {
  return cgroupLimitBytes() ?? os.totalmem();
}

export interface MemoryLimits {
  hardBytes: number;
  softBytes: number;
}

export function resolveLimits(
  config: { limit_mib: number; spike_limit_mib: number; limit_percentage: number; spike_limit_percentage: number },
  totalBytes: number,
): MemoryLimits {
  const hardBytes = config.limit_mib > 0 ? config.limit_mib * MIB : (totalBytes * config.limit_percentage) / 100;
  const spikeBytes =
    config.limit_mib > 0
      ? (config.spike_limit_mib > 0 ? config.spike_limit_mib * MIB : hardBytes * 0.2)
      : config.spike_limit_percentage > 0
        ? (totalBytes * config.spike_limit_percentage) / 100
        : hardBytes * 0.2;
  return { hardBytes, softBytes: hardBytes - spikeBytes };
}
