import { mkdtempSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Report } from './report';
import { fmt } from './stats';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Where a frame's time goes, by where its code lives. */
function categoryOf(frame: ProfileNode['callFrame']): string | undefined {
  const { functionName: name, url } = frame;
  if (name === '(garbage collector)') return 'GC';
  if (name === '(idle)') return 'idle';
  if (name === '(program)') return 'V8 and native (program)';
  if (name === '(root)') return 'V8 and native (program)';
  if (!url) return undefined; // a native builtin (JSON.parse, RegExp…): its caller's category
  if (/node_modules\/(@aws-sdk|@smithy|@aws-crypto|@aws\/|fast-xml-parser|bowser)/.test(url))
    return 'AWS SDK';
  if (
    /^node:(_http|http|net|stream|_stream|internal\/(http|net|stream|dns|streams|stream_base_commons|js_stream))/.test(
      url,
    )
  )
    return 'Node HTTP and sockets';
  if (/^node:(crypto|internal\/crypto)/.test(url)) return 'Node crypto (SigV4, hashes)';
  if (url.startsWith('node:')) return 'Node other (timers, events, buffers, URL…)';
  if (url.includes('/node_modules/')) return 'libraries (zod, p-limit, cron-parser, tsx…)';
  if (url.includes('/bench/')) return 'bench harness (function host)';
  if (/\/(lib|lambdas)\//.test(url)) return 'Sundial (lib/)';
  return 'other';
}

/**
 * V8's sampling CPU profiler (what `node --cpu-prof` runs) over chosen phases of this process, through the
 * inspector: samples are summed by the category of the frame they landed in (a native builtin counts for
 * its caller), so the summary says where each millisecond of CPU per fire goes. Each profile is also
 * written as a .cpuprofile file for Chrome DevTools.
 */
export class CpuProfiler {
  private readonly session = new Session();
  private readonly dir = mkdtempSync(join(tmpdir(), 'sundial-bench-profile-'));
  private readonly selfUs = new Map<string, number>();
  private readonly functionsUs = new Map<string, number>();
  private count = 0;

  constructor() {
    this.session.connect();
  }

  async start(): Promise<void> {
    await this.session.post('Profiler.enable');
    await this.session.post('Profiler.setSamplingInterval', { interval: 200 });
    await this.session.post('Profiler.start');
  }

  async stop(): Promise<void> {
    const { profile } = (await this.session.post('Profiler.stop')) as unknown as { profile: Profile };
    const file = join(this.dir, `profile-${++this.count}.cpuprofile`);
    writeFileSync(file, JSON.stringify(profile));
    this.add(profile);
  }

  private add(profile: Profile): void {
    const byId = new Map(profile.nodes.map((n) => [n.id, n]));
    const parent = new Map<number, number>();
    for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
    const categoryCache = new Map<number, string>();
    const category = (id: number): string => {
      const cached = categoryCache.get(id);
      if (cached) return cached;
      let at: number | undefined = id;
      let found: string | undefined;
      while (at !== undefined && !found) {
        found = categoryOf((byId.get(at) as ProfileNode).callFrame);
        at = parent.get(at);
      }
      categoryCache.set(id, found ?? 'other');
      return found ?? 'other';
    };
    profile.samples.forEach((id, i) => {
      const us = profile.timeDeltas[i + 1] ?? 0;
      const c = category(id);
      this.selfUs.set(c, (this.selfUs.get(c) ?? 0) + us);
      const frame = (byId.get(id) as ProfileNode).callFrame;
      const where = frame.url
        .replace(/^.*\/node_modules\//, '')
        .replace(/^file:\/\/.*?\/(lib|bench)\//, '$1/');
      const key = `${frame.functionName || '(anonymous)'} ${where}`.trim();
      this.functionsUs.set(key, (this.functionsUs.get(key) ?? 0) + us);
    });
  }

  /**
   * Prints where the CPU went, in percent of the busy (non-idle) samples and as that share of
   * `cpuMsPerFire` (process.cpuUsage of the profiled run, which includes the sampler's own thread: apply
   * the shares to an unprofiled run's figure). The profile's own milliseconds are not used: on a loaded
   * machine a sample's interval also spans time the process waited for a core.
   */
  summarise(cpuMsPerFire: number, report: Report, phase = 'dispatch'): void {
    const busy = [...this.selfUs].filter(([c]) => c !== 'idle');
    const total = busy.reduce((s, [, us]) => s + us, 0);
    console.log(`\n  CPU profile of ${phase} (${this.count} profiles in ${this.dir}):`);
    console.log('  | where | share of samples | CPU per fire |\n  |---|---|---|');
    for (const [c, us] of busy.sort((a, b) => b[1] - a[1]))
      console.log(`  | ${c} | ${fmt((100 * us) / total, 1)} % | ${fmt((cpuMsPerFire * us) / total, 3)} ms |`);
    console.log(`  | all (not idle) | 100 % | ${fmt(cpuMsPerFire, 2)} ms |`);
    console.log('\n  Top functions by self time:');
    for (const [name, us] of [...this.functionsUs]
      .filter(([name]) => !name.startsWith('(idle)'))
      .sort((a, b) => b[1] - a[1])
      .slice(0, 15))
      console.log(`    ${fmt((100 * us) / total, 1).padStart(5)} %  ${name}`);
    const share = (c: string) => fmt((100 * (this.selfUs.get(c) ?? 0)) / total, 0);
    report.add(
      `4. CPU profile of ${phase} (share of busy samples)`,
      `AWS SDK ${share('AWS SDK')} %, Node HTTP ${share('Node HTTP and sockets')} %, Sundial ${share('Sundial (lib/)')} %, GC ${share('GC')} %, rest ${fmt(100 - ['AWS SDK', 'Node HTTP and sockets', 'Sundial (lib/)', 'GC'].reduce((s, c) => s + (100 * (this.selfUs.get(c) ?? 0)) / total, 0), 0)} %`,
      '',
      undefined,
      true,
    );
  }
}
