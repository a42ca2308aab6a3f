// The arithmetic of the /admin charts, apart from their markup so it can be tested alone: scales,
// the lines' paths (broken where a bucket has no data), and the y axis' top.

/** A linear map from `domain` onto `range` (either may run backwards). */
export function linearScale([d0, d1]: [number, number], [r0, r1]: [number, number]) {
  const span = d1 - d0 || 1;
  return (value: number) => r0 + ((value - d0) / span) * (r1 - r0);
}

/**
 * An SVG path through the points that have a value: a bucket without data (null) ends the line
 * and the next value starts a new one, so a gap shows as a gap, never as a fall to zero.
 */
export function linePath(
  values: readonly (number | null)[],
  x: (index: number) => number,
  y: (value: number) => number,
) {
  let path = '';
  let drawing = false;
  values.forEach((value, index) => {
    if (value === null) {
      drawing = false;
      return;
    }
    path += `${drawing ? 'L' : 'M'}${round(x(index))} ${round(y(value))}`;
    drawing = true;
  });
  return path;
}

/** The points that have a value, for the markers (a lone value between gaps is a point, not a line). */
export const points = (values: readonly (number | null)[]) =>
  values.flatMap((value, index) => (value === null ? [] : [{ index, value }]));

/** A round top for an axis over values up to `max`: 1, 2 or 5 times a power of ten (1 for no data). */
export function niceMax(max: number) {
  if (!(max > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(max));
  return ([1, 2, 5, 10].find((step) => step * power >= max) ?? 10) * power;
}

const round = (n: number) => Math.round(n * 10) / 10;
