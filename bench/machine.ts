// What machine produced a figure: every result carries this.

import { cpus, totalmem, platform, release } from 'node:os';

export interface MachineInfo {
  cpu: string;
  cores: number;
  memory_gib: number;
  node: string;
  platform: string;
  load_average_1m: number;
}

export async function machineInfo(): Promise<MachineInfo> {
  const { loadavg } = await import('node:os');
  const c = cpus();
  return {
    cpu: c[0]?.model ?? 'unknown',
    cores: c.length,
    memory_gib: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    platform: `${platform()} ${release()}`,
    load_average_1m: loadavg()[0],
  };
}
