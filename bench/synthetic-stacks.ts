// Random call stacks shaped like a real profile's, for the large-report benchmark and the viewer
// tests: prefixes drawn from small alphabets near the root and large ones near the leaves, 8 to 27
// frames deep, a third of the frames in packages. Seeded, so the same seed gives the same recording.
import { RecordingBuilder, StackIndex } from '../collector/model';

export interface StackMaker {
  /** The next pseudo-random integer in [0, n) from the seeded generator. */
  random(n: number): number;
  /** A new random stack (it may repeat an earlier one). */
  nextStack(): StackIndex;
}

export function syntheticStacks(b: RecordingBuilder, cwd: string, seed: number): StackMaker {
  const random = (n: number): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed % n;
  };
  const frames = new Map<number, number>();
  const frameOf = (id: number): number => {
    let f = frames.get(id);
    if (f === undefined) {
      const file = id % 3 === 0 ? `${cwd}/node_modules/pkg${id % 50}/lib/file${id % 200}.js` : `${cwd}/src/mod${id % 300}.js`;
      f = b.frame(`fn${id}`, file, (id % 900) + 1, 1);
      frames.set(id, f);
    }
    return f;
  };
  const nextStack = (): StackIndex => {
    const depth = 8 + random(20);
    const path: number[] = [];
    for (let d = 0; d < depth; d++) path.push(frameOf(d * 10_000 + random(d < 3 ? 3 : d < 8 ? 12 : 4000)));
    return b.stackOf(path);
  };
  return { random, nextStack };
}
