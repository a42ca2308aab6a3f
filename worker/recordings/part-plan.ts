// How the recording copy (copy.ts) splits a recording into parts. A module of its own, importing
// nothing, so that the bench's curl yardstick (scripts/bench-recording.ts) copies in the same parts.

/**
 * Every part but the last has this size (S3's minimum is 5 MiB; 10 000 parts make 156 GiB). A
 * part streams, so its size costs no memory; fewer, larger parts cost fewer requests (`npm run
 * bench` under load: 16 MiB × 4 at once copied 1 GiB at 0.83 of curl on average over 8 runs,
 * 8 MiB × 3 at 0.67).
 */
export const PART_SIZE = 16 * 1024 * 1024;

/**
 * Parts copied at once: a part's download and upload stream together, and a few parts side by
 * side keep both connections busy between parts. Memory stays a few stream buffers per part
 * (workerd grew by at most 33 MiB over those runs).
 */
export const PARTS_IN_FLIGHT = 4;
