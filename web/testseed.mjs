// The seed of the pages' property tests, as internal/testseed gives the Go
// ones: fixed unless DANGBO_TEST_SEED gives one ("random" for a new one).
const seedText = process.env.DANGBO_TEST_SEED;
export const seed =
  seedText === 'random' ? Math.floor(Math.random() * 2 ** 32) : seedText ? Number(seedText) : 19;
console.log(`seed ${seed} (DANGBO_TEST_SEED=${seed} repeats it)`);

// mulberry32: a small seeded generator of numbers in [0, 1).
export function generator(s) {
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
