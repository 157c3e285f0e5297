// The fixed CPU work of the steady benchmark (JSON, regular expressions, arrays), shared by
// cpu-work.ts (a whole process) and sample-cost.ts (short segments inside one process).

function jsonRoundTrip(i: number): number {
  const doc = { id: i, name: `item-${i}`, tags: ['a', 'b', String(i % 7)], nested: { x: i * 2, y: [i, i + 1, i + 2] } };
  return JSON.parse(JSON.stringify(doc)).nested.y.length;
}

const WORD = /([a-z]+)-(\d+)/g;
function regexScan(i: number): number {
  const text = `alpha-${i} beta-${i + 1} gamma-${i + 2} delta-${i * 3}`;
  let n = 0;
  for (const m of text.matchAll(WORD)) n += m[2].length;
  return n;
}

function arrayWork(i: number): number {
  const xs = Array.from({ length: 64 }, (_, k) => (k * 7919 + i) % 101);
  return xs
    .map((x) => x * 2)
    .filter((x) => x % 3 !== 0)
    .sort((a, b) => a - b)
    .reduce((a, b) => a + b, 0);
}

export function oneRound(round: number): number {
  let acc = 0;
  for (let i = 0; i < 1000; i++) acc += jsonRoundTrip(i + round) + regexScan(i) + arrayWork(i);
  return acc;
}
