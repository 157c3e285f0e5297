// results.md: one table per benchmark (figure, value, target, met), then how it was measured.
import { BenchResult } from './result';

export interface ResultsFile {
  when: string;
  machine: string;
  quick: boolean;
  benchmarks: Array<BenchResult & { when?: string }>;
}

export function renderMarkdown(file: ResultsFile): string {
  const lines = [
    '# wspy benchmark results',
    '',
    `Run ${file.when}${file.quick ? ' (--quick: smoke sizes, not for comparison)' : ''} on ${file.machine}.`,
    'Every figure is a median, percentile or ratio against a baseline measured in the same run, with runs interleaved.',
    'See bench/README.md for what each benchmark measures.',
    '',
  ];
  for (const b of file.benchmarks) {
    lines.push(`## ${b.title} (\`${b.name}\`, ${b.seconds} s${b.when && b.when !== file.when ? `, run ${b.when}` : ''})`, '');
    lines.push('| figure | value | target | met |', '|---|---|---|---|');
    for (const f of b.figures) {
      const value = `${f.value}${f.unit ? ` ${f.unit}` : ''}`;
      const met = f.met === undefined ? '' : f.met ? 'yes' : '**no**';
      lines.push(`| ${cell(f.metric)} | ${cell(value)} | ${cell(f.target ?? '')} | ${met} |`);
    }
    lines.push('');
    for (const n of b.notes) lines.push(`- ${n}`);
    lines.push('');
  }
  return lines.join('\n');
}

function cell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}
