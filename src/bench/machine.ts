/** The machine a benchmark ran on, as the output describes it. */
import { availableParallelism, cpus, loadavg, platform, release, totalmem } from 'node:os';

export interface Machine {
  cpuModel: string;
  cores: number;
  node: string;
  os: string;
  memoryGiB: number;
  /** 1-minute load average at the start and at the end of the run. */
  loadStart: number;
  loadEnd: number;
}

export function machineAtStart(): Machine {
  return {
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown', cores: availableParallelism(), node: process.version,
    os: `${platform()} ${release()}`, memoryGiB: Math.round(totalmem() / 2 ** 30), loadStart: loadavg()[0] ?? 0, loadEnd: 0,
  };
}

export function finishMachine(m: Machine): Machine {
  return { ...m, loadEnd: loadavg()[0] ?? 0 };
}
