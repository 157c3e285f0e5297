// Benchmark 6: the HTML report of a large recording: render time, size, and Chromium's draw time.
import * as fs from 'fs';
import * as path from 'path';
import { pathToFileURL } from 'url';
import { chromium } from 'playwright-core';
import { emptyRecording, Recording, RecordingBuilder, emptySamples } from '../collector/model';
import { renderHtml } from '../viewer/html';
import { tempDir } from './proc';
import { syntheticStacks } from './synthetic-stacks';
import { Benchmark, Figure } from './result';
import { median, round } from './stats';

const CHROMIUM = process.env.WSPY_CHROMIUM ?? '/usr/bin/chromium';
const RENDER_TARGET_MS = 3000;
const SIZE_TARGET_MB = 10;
const DRAW_TARGET_MS = 2000;

export const report: Benchmark = {
  name: 'report',
  title: 'HTML report of a large recording',
  async run(ctx) {
    const samples = ctx.quick ? 100_000 : 1_000_000;
    const stacks = ctx.quick ? 10_000 : 100_000;
    const runs = ctx.quick ? 1 : 3;
    const t0 = performance.now();
    const rec = largeRecording(samples, stacks);
    const buildMs = performance.now() - t0;
    const dir = tempDir();
    try {
      const renders: number[] = [];
      let html = '';
      for (let i = 0; i < runs; i++) {
        const t = performance.now();
        html = renderHtml(rec);
        renders.push(performance.now() - t);
      }
      const file = path.join(dir, 'large.html');
      fs.writeFileSync(file, html);
      const sizeMb = Buffer.byteLength(html) / 1e6;
      const draws = fs.existsSync(CHROMIUM) ? await drawTimes(file, runs) : undefined;
      const figures: Figure[] = [
        { metric: `renderHtml of ${samples.toLocaleString('en')} samples over ${stacks.toLocaleString('en')} stacks: median`, value: round(median(renders), 0), unit: 'ms', target: `<= ${RENDER_TARGET_MS} ms`, met: median(renders) <= RENDER_TARGET_MS },
        { metric: 'HTML size', value: round(sizeMb, 2), unit: 'MB', target: `<= ${SIZE_TARGET_MB} MB`, met: sizeMb <= SIZE_TARGET_MB },
      ];
      if (draws) {
        figures.push(
          { metric: 'Chromium: navigation start to flame graph drawn: median', value: round(median(draws.map((d) => d.ms)), 0), unit: 'ms', target: `<= ${DRAW_TARGET_MS} ms`, met: median(draws.map((d) => d.ms)) <= DRAW_TARGET_MS },
          { metric: 'Chromium: frames drawn', value: draws[0].frames },
        );
      } else {
        figures.push({ metric: 'Chromium draw', value: `skipped: no Chromium at ${CHROMIUM}` });
      }
      return {
        figures,
        notes: [
          `A synthetic recording built with RecordingBuilder in ${round(buildMs, 0)} ms (not counted): 3 processes, ${stacks.toLocaleString('en')} distinct stacks 8-27 frames deep (small alphabets near the root, large near the leaves, bench/synthetic-stacks.ts, shared with test/helpers/viewer-fixture.ts), and ${samples.toLocaleString('en')} samples of weight 1, 5 % of stacks hot.`,
          `renderHtml timed ${runs} times in this process (median). Draw: headless Chromium (playwright-core, ${CHROMIUM}) opens the file:// page in a fresh page, ${runs} times; the time is from page.goto() to the first moment the flame graph's SVG holds its frames (#chart svg g.frame) and the page says it is ready, measured in the page with performance.now() (navigation start = 0).`,
        ],
      };
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  },
};

async function drawTimes(file: string, runs: number): Promise<Array<{ ms: number; frames: number }>> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu'] });
  try {
    const out: Array<{ ms: number; frames: number }> = [];
    for (let i = 0; i < runs; i++) {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      await page.goto(pathToFileURL(file).href, { waitUntil: 'commit' });
      const handle = await page.waitForFunction(
        () => {
          const n = document.querySelectorAll('#chart svg g.frame').length;
          return n > 0 && document.body?.dataset.ready === 'true' ? { ms: performance.now(), frames: n } : false;
        },
        undefined,
        { polling: 'raf', timeout: 60_000 },
      );
      out.push((await handle.jsonValue()) as { ms: number; frames: number });
      await page.close();
    }
    return out;
  } finally {
    await browser.close();
  }
}

/** `samples` samples of weight 1 spread over `stacks` distinct stacks in three processes. */
export function largeRecording(samples: number, stacks: number): Recording {
  const cwd = '/app';
  const t0 = Date.UTC(2024, 4, 1, 12, 0, 0);
  const b = new RecordingBuilder(emptyRecording({ title: 'bench: large recording', startTime: t0, endTime: t0 + samples, intervalUs: 1000, cwd }));
  const procs = [100, 101, 102].map((pid) =>
    b.upsertProcess(String(pid), () => ({
      pid,
      ppid: pid === 100 ? 1 : 100,
      argv: ['/usr/bin/node', `${cwd}/${pid === 100 ? 'worker' : 'child'}.js`],
      command: `node ${pid === 100 ? 'worker' : 'child'}.js`,
      cwd,
      nodeVersion: process.version,
      startTime: t0,
      endTime: t0 + samples,
      exitCode: 0,
      signal: null,
      sampled: true,
      intervalUs: 1000,
      samples: emptySamples(),
      errors: [],
    })),
  );
  const { random, nextStack } = syntheticStacks(b, cwd, 7);
  const distinct = new Set<number>();
  const leaves: number[] = [];
  while (distinct.size < stacks) {
    const s = nextStack();
    if (!distinct.has(s)) {
      distinct.add(s);
      leaves.push(s);
    }
  }
  // Every stack once, then the rest mostly on the hot 5 %.
  const hot = leaves.slice(0, Math.ceil(leaves.length / 20));
  for (let i = 0; i < samples; i++) {
    const s = i < leaves.length ? leaves[i] : random(100) < 80 ? hot[random(hot.length)] : leaves[random(leaves.length)];
    b.addSamples(procs[random(3)], s, 1, i);
  }
  return b.recording;
}
