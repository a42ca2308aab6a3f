import { describe, expect, it } from 'vitest';
import { linearScale, linePath, niceMax, points } from '../../client/pages/admin/chart-math.ts';

describe('the charts’ arithmetic', () => {
  it('maps a domain onto a range, backwards too (an SVG y axis grows downwards)', () => {
    const x = linearScale([0, 10], [40, 140]);
    expect([x(0), x(5), x(10)]).toEqual([40, 90, 140]);
    const y = linearScale([0, 1], [100, 0]);
    expect([y(0), y(0.25), y(1)]).toEqual([100, 75, 0]);
    // An empty domain (every value the same) does not divide by zero.
    expect(linearScale([3, 3], [0, 10])(3)).toBe(0);
  });

  it('breaks the line where a bucket has no data, and never draws a missing value as zero', () => {
    const x = (i: number) => i * 10;
    const y = (v: number) => 100 - v;
    expect(linePath([1, 2, null, 4, 5], x, y)).toBe('M0 99L10 98M30 96L40 95');
    expect(linePath([null, null], x, y)).toBe('');
    expect(linePath([0, null, 0], x, y)).toBe('M0 100M20 100');
  });

  it('marks every value, a lone one between gaps too', () => {
    expect(points([null, 7, null, 0])).toEqual([
      { index: 1, value: 7 },
      { index: 3, value: 0 },
    ]);
  });

  it('rounds an axis’ top up to 1, 2 or 5 times a power of ten', () => {
    expect([0, 0.03, 0.15, 1, 3, 7, 12, 480, 5000].map(niceMax)).toEqual([1, 0.05, 0.2, 1, 5, 10, 20, 500, 5000]);
  });
});
