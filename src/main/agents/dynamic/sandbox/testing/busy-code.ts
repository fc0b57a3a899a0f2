/**
 * Agent code for tests that need an engine to stay busy where no interrupt reaches: 3 million
 * numbers copied from a typed array and sorted without a comparator — two calls into the engine's
 * C code back to back (several seconds; ~170 MB of the agent's memory), with no bytecode between
 * them to poll the interrupt handler. The body of a `handleTask`; returns the length.
 */
export const NATIVE_SORT = `const n = 3000000, ta = new Float64Array(n); for (let k = 0; k < 1000; k++) ta.fill((k * 7919) % 1000, k * 3000, (k + 1) * 3000); return Array.from(ta).sort().length;`;
