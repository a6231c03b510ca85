/** Summarizes a V8 .cpuprofile: where the CPU went, by function and by package. */

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}
export interface CpuProfile {
  nodes: ProfileNode[];
  startTime?: number;
  samples?: number[];
  timeDeltas?: number[];
}

/** `node_modules/@apollo/gateway/dist/x.js` -> `@apollo/gateway`; Plaza's own files by path. */
function packageOf(url: string, root: string): string {
  if (!url) return '(native / V8)';
  if (url.startsWith('node:')) return 'node core';
  const i = url.lastIndexOf('node_modules/');
  if (i >= 0) {
    const rest = url.slice(i + 'node_modules/'.length).split('/');
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  return url.replace(`file://${root}`, '').replace(root, '');
}

/**
 * `skipMs`: leave out the first milliseconds of the profile (start-up and warm-up);
 * `untilMs`: and what comes after (the load's end and the shutdown: requests cut short, a pool closed).
 */
export function summarizeProfile(profile: CpuProfile, root: string, top = 10, skipMs = 0, untilMs = Infinity): string {
  const selfUs = new Map<number, number>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  let elapsedUs = 0;
  for (let i = 0; i < samples.length; i++) {
    elapsedUs += deltas[i] ?? 0;
    if (elapsedUs < skipMs * 1000) continue;
    if (elapsedUs > untilMs * 1000) break;
    selfUs.set(samples[i], (selfUs.get(samples[i]) ?? 0) + (deltas[i] ?? 0));
  }
  let total = 0;
  const byFunction = new Map<string, number>();
  const byPackage = new Map<string, number>();
  for (const node of profile.nodes) {
    const us = selfUs.get(node.id) ?? 0;
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === '(idle)' || functionName === '(program)') continue;
    total += us;
    const pkg = packageOf(url, root);
    const key = `${functionName || '(anonymous)'} — ${pkg}${url ? `:${lineNumber + 1}` : ''}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + us);
    const group = functionName === '(garbage collector)' ? 'garbage collection' : pkg;
    byPackage.set(group, (byPackage.get(group) ?? 0) + us);
  }
  const rows = (map: Map<string, number>) =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, us], i) => `| ${i + 1} | ${name.replaceAll('|', '\\|')} | ${(us / 1000).toFixed(0)} | ${((100 * us) / total).toFixed(1)}% |`);
  return [
    `Busy CPU sampled: ${(total / 1e6).toFixed(1)} s (idle excluded).`,
    '',
    '| # | function (self time) | ms | share |',
    '|--:|---|--:|--:|',
    ...rows(byFunction),
    '',
    '| # | package / file (self time) | ms | share |',
    '|--:|---|--:|--:|',
    ...rows(byPackage),
  ].join('\n');
}
