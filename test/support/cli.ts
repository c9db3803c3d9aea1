// Test helper: the galdecon command run in-process through main(), its output collected.

import { main } from '../../src/cli/main.ts';

export async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(args, { out: (s) => { stdout += s; }, err: (s) => { stderr += s; } });
  return { code, stdout, stderr };
}
