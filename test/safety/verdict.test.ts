/** The decision rule, and that it fails closed on a broken distance. */
import { judge, scoreOf } from '../../src/safety/verdict';

const cal = { threshold: 3, scale: 0.25 };

describe('judge', () => {
  test('unsafe exactly from the threshold on; score 0.5 there and increasing', () => {
    expect(judge(2.999, 'TEXT', cal).unsafe).toBe(false);
    expect(judge(3, 'TEXT', cal)).toMatchObject({ unsafe: true, score: 0.5 });
    expect(scoreOf(3.5, cal)).toBeGreaterThan(scoreOf(3.1, cal));
  });

  test('a NaN distance (a broken model output) is unsafe with score 1, never safe', () => {
    expect(judge(NaN, 'TEXT', cal)).toMatchObject({ unsafe: true, score: 1 });
    expect(judge(NaN, 'IMAGE', cal).unsafe).toBe(true);
  });
});
