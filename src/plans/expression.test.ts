import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EXPRESSION_FUNCTIONS, ExpressionError, MAX_DEPTH, MAX_SOURCE_LENGTH, MAX_STEPS, compileExpression } from './expression/index.ts';

const evaluate = (source: string, input: Record<string, unknown> = {}): unknown => compileExpression(source).evaluate(input);

/** The ExpressionError a source raises at compile time (or, with input, at evaluation). */
function errorOf(source: string, input?: Record<string, unknown>): ExpressionError {
  try {
    const compiled = compileExpression(source);
    if (input !== undefined) compiled.evaluate(input);
  } catch (e) {
    if (e instanceof ExpressionError) return e;
    throw e;
  }
  throw new Error(`expected ${JSON.stringify(source)} to fail`);
}

/** What the seed's water-main scene knows once the map has been asked. */
const burst = {
  case: { categoryCode: 'municipal.water.burst', source: 'sensor', title: 'Water main BURST near 国宾医院', reportedAt: '2026-05-01T10:12:00+08:00' },
  alert: { readings: { level_cm: 42, limit_cm: 30 } },
  facts: {
    water_main: { id: 'wm-1', diameter_mm: 400, unitId: 'u-water-yz', properties: { material: 'ductile iron' } },
    signals: [{ id: 'sig-n', properties: { device_id: 'signal-nankai-n' } }, { id: 'sig-s', properties: { device_id: 'signal-nankai-s' } }],
  },
};

describe('precedence and grouping', () => {
  it.each([
    ['1 + 2 * 3', 7],
    ['(1 + 2) * 3', 9],
    ['2 - 3 - 4', -5], // left to right
    ['8 / 4 / 2', 1],
    ['7 % 4 * 2', 6],
    ['-2 * 3', -6],
    ['- (2 + 3)', -5],
    ['2 * -3', -6],
    ['1 + 2 == 3', true], // arithmetic before comparison
    ['true or false and false', true], // and before or
    ['(true or false) and false', false],
    ['not false and false', false], // not binds tightest
    ['not (false and false)', true],
    ['!true || true', true],
    ['1 < 2 and 3 > 2', true], // comparison before and
    ['false ? 1 : true ? 2 : 3', 2], // ?: groups to the right
    ['1 > 2 or 2 > 1 ? "yes" : "no"', 'yes'], // ?: loosest
    ['[1, 2 + 1][1]', 3],
  ])('%s = %j', (source, expected) => {
    expect(evaluate(source)).toEqual(expected);
  });
});

describe('operators', () => {
  it('arithmetic on numbers, including decimals and exponents', () => {
    expect(evaluate('0.5 + 0.25')).toBe(0.75);
    expect(evaluate('1.5e3 / 3')).toBe(500);
    expect(evaluate('-7 % 3')).toBe(-1); // the sign of the dividend, as in JavaScript
    expect(evaluate('facts.water_main.diameter_mm / 1000', burst)).toBe(0.4);
  });

  it('+ joins two strings, with escapes in either quote style', () => {
    expect(evaluate(`'关阀' + "止水"`)).toBe('关阀止水');
    expect(evaluate(String.raw`'it\'s' + "\"q\"" + '\\' + '\u4e2d'`)).toBe(`it's"q"\\中`);
    expect(evaluate(String.raw`'a\tb\n'`)).toBe('a\tb\n');
  });

  it('== and != compare without conversion; lists and maps by content', () => {
    expect(evaluate("1 == '1'")).toBe(false);
    expect(evaluate('1 != 1.0')).toBe(false);
    expect(evaluate("'sensor' == case.source", burst)).toBe(true);
    expect(evaluate('[1, [2, 3]] == [1, [2, 3]]')).toBe(true);
    expect(evaluate('[1, 2] == [2, 1]')).toBe(false);
    expect(evaluate('facts.water_main.properties == facts.water_main.properties', burst)).toBe(true);
    expect(evaluate('facts.x == facts.y', { facts: { x: { a: 1, b: [1] }, y: { b: [1], a: 1 } } })).toBe(true);
    expect(evaluate('facts.x == facts.y', { facts: { x: { a: 1 }, y: { a: 1, b: 2 } } })).toBe(false);
    expect(evaluate('true == true and null == null')).toBe(true);
  });

  it('< <= > >= order numbers and strings (ISO times sort as text)', () => {
    expect(evaluate('3 < 4 and 4 <= 4 and 5 > 4 and 4 >= 4')).toBe(true);
    expect(evaluate("'2026-05-01T09:00:00Z' < '2026-05-01T10:00:00Z'")).toBe(true);
    expect(evaluate("'b' > 'a'")).toBe(true);
  });

  it('in and not in: an element of a list, a substring, a key of a map', () => {
    expect(evaluate("case.source in ['sensor', 'camera']", burst)).toBe(true);
    expect(evaluate("case.source not in ['citizen', 'hotline']", burst)).toBe(true);
    expect(evaluate("'BURST' in case.title", burst)).toBe(true);
    expect(evaluate("'国宾' in case.title", burst)).toBe(true);
    expect(evaluate("'burst' in case.title", burst)).toBe(false); // case-sensitive; use lower()
    expect(evaluate("'diameter_mm' in facts.water_main", burst)).toBe(true);
    expect(evaluate("'toString' in facts.water_main", burst)).toBe(false); // own keys only
    expect(evaluate('[1, 2] in [[1, 2], [3]]')).toBe(true);
    expect(evaluate("'x' in facts.nothing", burst)).toBe(false); // nothing is in null
  });

  it('and / or short-circuit: the right side is not evaluated when the left decides', () => {
    expect(evaluate('false and 1 / 0 == 1')).toBe(false);
    expect(evaluate('true or 1 / 0 == 1')).toBe(true);
    expect(evaluate('true && false || true')).toBe(true);
    expect(() => evaluate('true and 1 / 0 == 1')).toThrow(/'\/' by zero/);
  });

  it('?: evaluates only the chosen branch', () => {
    expect(evaluate("facts.water_main.diameter_mm >= 500 ? 'city' : 'district'", burst)).toBe('district');
    expect(evaluate('true ? 1 : 1 / 0')).toBe(1);
  });

  it('and, or, not and ?: want true or false, not truthiness', () => {
    expect(errorOf('1 and true', {}).reason).toBe("'and' needs true or false on its left, got number 1");
    expect(errorOf('false or facts.x', {}).reason).toBe("'or' needs true or false on its right, got null");
    expect(errorOf("not 'yes'", {}).reason).toBe(`'not' needs true or false, got string "yes"`);
    expect(errorOf('0 ? 1 : 2', {}).reason).toMatch(/condition before '\?' must be true or false/);
  });
});

describe('functions', () => {
  it('len counts characters, elements and keys; len(null) is 0', () => {
    expect(evaluate("len('国宾医院')")).toBe(4);
    expect(evaluate("len('😀')")).toBe(1);
    expect(evaluate('len(facts.signals)', burst)).toBe(2);
    expect(evaluate('len(facts.water_main)', burst)).toBe(4);
    expect(evaluate('len(facts.nothing)', burst)).toBe(0);
    expect(errorOf('len(3)', {}).reason).toBe('len() needs a string, a list or an object, got number');
  });

  it('lower, upper', () => {
    expect(evaluate("lower(case.title)", burst)).toBe('water main burst near 国宾医院');
    expect(evaluate("upper('abc')")).toBe('ABC');
    expect(evaluate('lower(facts.nothing)', burst)).toBe(null);
  });

  it('contains, startsWith, endsWith', () => {
    expect(evaluate("contains(lower(case.title), 'burst')", burst)).toBe(true);
    expect(evaluate("contains(['a', 'b'], 'b')")).toBe(true);
    expect(evaluate("contains(facts.nothing, 'b')", burst)).toBe(false);
    expect(evaluate("startsWith(case.categoryCode, 'municipal.')", burst)).toBe(true);
    expect(evaluate("endsWith(case.categoryCode, '.burst')", burst)).toBe(true);
    expect(evaluate("startsWith(facts.nothing, 'x')", burst)).toBe(false);
    expect(errorOf("startsWith(1, 'x')", {}).reason).toBe('startsWith() needs two strings, got number and string');
  });

  it('min and max over arguments or one list, skipping nulls', () => {
    expect(evaluate('min(3, 1, 2)')).toBe(1);
    expect(evaluate('max(3, facts.nothing, 7)', burst)).toBe(7);
    expect(evaluate('max([4, 9, 2])')).toBe(9);
    expect(evaluate('min(facts.nothing)', burst)).toBe(null);
    expect(errorOf("max(1, 'two')", {}).reason).toBe('max() needs numbers, got string');
  });

  it('abs and round (half away from zero, as written in decimal)', () => {
    expect(evaluate('abs(-2.5)')).toBe(2.5);
    expect(evaluate('round(2.5)')).toBe(3);
    expect(evaluate('round(-2.5)')).toBe(-3);
    expect(evaluate('round(1.005, 2)')).toBe(1.01);
    expect(evaluate('round(1234.5, -2)')).toBe(1200);
    expect(evaluate('round(facts.nothing, 1)', burst)).toBe(null);
    expect(errorOf('round(1.5, 0.5)', {}).reason).toMatch(/whole number of digits/);
  });

  it('exists and coalesce', () => {
    expect(evaluate('exists(facts.water_main)', burst)).toBe(true);
    expect(evaluate('exists(facts.water_main.depth_m)', burst)).toBe(false);
    expect(evaluate('exists(false) and exists(0)')).toBe(true);
    expect(evaluate("coalesce(facts.nothing, facts.water_main.diameter_mm, 'x')", burst)).toBe(400);
    expect(evaluate('coalesce(facts.a, facts.b)', burst)).toBe(null);
    expect(evaluate('coalesce(1, 1 / 0)')).toBe(1); // lazy
  });

  it('hour and weekday read the time in China (UTC+8) whatever zone it is written in', () => {
    expect(evaluate("hour('2026-05-01T10:12:00+08:00')")).toBe(10);
    expect(evaluate("hour('2026-05-01T23:30:00Z')")).toBe(7); // 07:30 on 2 May in Chongqing
    expect(evaluate("weekday('2026-05-01T23:30:00Z')")).toBe(6); // Saturday 2 May
    expect(evaluate("weekday('2026-05-04T00:00:00+08:00')")).toBe(1); // Monday
    expect(evaluate("weekday('2026-05-03T12:00:00.250+0800')")).toBe(7); // Sunday
    expect(evaluate("hour('2026-01-01T00:30:00-05:00')")).toBe(13);
    expect(evaluate('hour(case.reportedAt) >= 22 or hour(case.reportedAt) < 6', burst)).toBe(false);
    expect(evaluate('hour(facts.nothing)', burst)).toBe(null);
  });

  it('hour refuses a time without a zone (it would depend on the server) and impossible dates', () => {
    expect(errorOf("hour('2026-05-01T10:00:00')", {}).reason).toMatch(/ISO-8601 time with a zone/);
    expect(errorOf("hour('2026-02-30T10:00:00Z')", {}).reason).toMatch(/ISO-8601/);
    expect(errorOf('weekday(1714521600000)', {}).reason).toMatch(/got number/);
  });

  it('checks the number of arguments when compiling', () => {
    expect(errorOf('len(1, 2)').reason).toBe('len() takes 1 argument, got 2');
    expect(errorOf('round()').reason).toBe('round() takes 1 or 2 arguments, got 0');
    expect(errorOf('coalesce()').reason).toBe('coalesce() takes at least 1 argument, got 0');
    expect(EXPRESSION_FUNCTIONS).toEqual(['len', 'lower', 'upper', 'contains', 'startsWith', 'endsWith', 'min', 'max', 'abs', 'round', 'exists', 'hour', 'weekday', 'coalesce']);
  });
});

describe('null: what a missing fact reads as', () => {
  const none = { facts: {} };

  it('a missing property at any depth reads as null, not an error', () => {
    expect(evaluate('facts.water_main.diameter_mm', none)).toBe(null);
    expect(evaluate('facts.signals[5].properties.device_id', burst)).toBe(null);
    expect(evaluate('nobody.knows', none)).toBe(null);
  });

  it('every ordering with null is false, so "< 500" and ">= 500" both fail without a water main', () => {
    for (const op of ['<', '<=', '>', '>=']) {
      expect(evaluate(`facts.water_main.diameter_mm ${op} 500`, none)).toBe(false);
      expect(evaluate(`null ${op} null`)).toBe(false);
    }
    expect(evaluate('not (facts.water_main.diameter_mm < 500)', none)).toBe(true);
  });

  it('== and != treat null as a value', () => {
    expect(evaluate('facts.water_main.diameter_mm == null', none)).toBe(true);
    expect(evaluate('facts.water_main.diameter_mm != null', none)).toBe(false);
    expect(evaluate('facts.water_main.diameter_mm != null', burst)).toBe(true);
  });

  it('arithmetic on null or text names the operator and both types', () => {
    const e = errorOf('facts.water_main.diameter_mm + 1', none);
    expect(e.reason).toBe("'+' needs two numbers or two strings, got null and number");
    expect(e.column).toBe(30);
    expect(errorOf("2 * '3'", {}).reason).toBe("'*' needs numbers, got number and string");
    expect(errorOf("1 + 'a'", {}).reason).toBe("'+' needs two numbers or two strings, got number and string");
    expect(errorOf("-'a'", {}).reason).toBe(`'-' needs a number, got string "a"`);
    expect(errorOf('1 % 0', {}).reason).toBe("'%' by zero");
  });

  it('ordering different types is an error rather than a guess', () => {
    expect(errorOf("facts.water_main.diameter_mm < '500'", burst).reason).toBe("'<' cannot compare number with string");
    expect(errorOf('true > false', {}).reason).toBe("'>' cannot compare boolean with boolean");
  });
});

describe('reading only the data given', () => {
  it('refuses __proto__, constructor and prototype when compiling, wherever they appear', () => {
    for (const source of ['facts.__proto__', "facts['constructor']", 'case.x.prototype', 'constructor', '__proto__.polluted']) {
      const e = errorOf(source);
      expect(e.reason).toMatch(/cannot be read: only the data given/);
    }
    expect(errorOf('facts["__proto__"]').column).toBe(7);
  });

  it('reads own enumerable data of plain objects and arrays only; everything else is null', () => {
    class Pipe {
      diameter_mm = 400;
    }
    const hidden = Object.defineProperty({}, 'secret', { value: 1, enumerable: false });
    let getterRan = false;
    const withGetter = Object.defineProperty({}, 'value', { get: () => ((getterRan = true), 1), enumerable: true });
    const input = {
      facts: {
        pipe: new Pipe(),
        hidden,
        withGetter,
        fn: () => 1,
        list: [1, 2, 3],
        text: 'abc',
        date: new Date(0),
        bare: Object.assign(Object.create(null) as object, { a: 1 }),
      },
    };
    expect(evaluate('facts.pipe.diameter_mm', input)).toBe(null);
    expect(evaluate('facts.hidden.secret', input)).toBe(null);
    expect(evaluate('facts.withGetter.value', input)).toBe(null);
    expect(getterRan).toBe(false);
    expect(evaluate('facts.fn', input)).toBe(null);
    expect(evaluate('facts.fn.name', input)).toBe(null);
    expect(evaluate('facts.list.length + facts.list[2] + facts.list["0"]', input)).toBe(7);
    expect(evaluate('facts.list.push', input)).toBe(null);
    expect(evaluate('facts.list.map', input)).toBe(null);
    expect(evaluate('facts.text.length', input)).toBe(null); // use len()
    expect(evaluate('facts.date.getTime', input)).toBe(null);
    expect(evaluate('facts.bare.a', input)).toBe(1);
    expect(evaluate('facts.water_main.toString', burst)).toBe(null);
    expect(evaluate('facts.water_main.hasOwnProperty', burst)).toBe(null);
  });

  it('allows no method calls and no computed property names', () => {
    expect(errorOf('facts.list.push(1)').reason).toMatch(/^'facts\.list\.push' is not a function; only these functions can be called/);
    expect(errorOf('facts[case.key]').reason).toMatch(/only a quoted name or a whole number can stand in \[ \]/);
    expect(errorOf('facts.list[-1]').reason).toMatch(/only a quoted name or a whole number/);
  });
});

describe('syntax errors point at the column', () => {
  it('an unclosed string points at its opening quote', () => {
    const e = errorOf("case.source == 'sensor");
    expect(e).toBeInstanceOf(ExpressionError);
    expect(e.position).toBe(15);
    expect(e.column).toBe(16);
    expect(e.reason).toBe('unclosed string: the single quote is never closed');
    expect(e.message).toBe(
      "unclosed string: the single quote is never closed at column 16:\n  case.source == 'sensor\n                 ^",
    );
  });

  it('an unknown function is named, at its position', () => {
    const e = errorOf('facts.x > 1 and sqrt(facts.y) < 2');
    expect(e.reason).toMatch(/^unknown function 'sqrt'; the functions are len, lower/);
    expect(e.column).toBe(17);
    expect(errorOf('Len(x)').reason).toMatch(/unknown function 'Len'/); // names are case-sensitive
    expect(errorOf('constructor(1)').reason).toMatch(/unknown function 'constructor'/);
  });

  it('an unexpected token, an unexpected end and leftovers', () => {
    expect(errorOf('1 + * 2')).toMatchObject({ reason: "unexpected '*'", column: 5 });
    expect(errorOf('facts.x <')).toMatchObject({ reason: 'unexpected end of the expression', column: 10 });
    expect(errorOf('facts.x facts.y')).toMatchObject({ reason: "unexpected 'facts' after a complete expression", column: 9 });
    expect(errorOf('(1 + 2')).toMatchObject({ reason: "expected ')' to close the '(' at column 1, found the end of the expression", column: 7 });
    expect(errorOf('[1, 2')).toMatchObject({ reason: "expected ',' or ']' in the list, found the end of the expression" });
    expect(errorOf('facts.')).toMatchObject({ reason: "expected a property name after '.', found the end of the expression" });
    expect(errorOf('')).toMatchObject({ reason: 'the expression is empty' });
    expect(errorOf('and x')).toMatchObject({ reason: "unexpected 'and': a value must come first" });
    expect(errorOf('1x')).toMatchObject({ reason: "a number cannot run into 'x'", column: 2 });
    expect(errorOf("'a\\q'")).toMatchObject({ column: 3 });
    expect(errorOf('x # comment')).toMatchObject({ reason: "unexpected character '#'" });
  });

  it('common slips get their own message', () => {
    expect(errorOf('facts.x = 1').reason).toBe("use '==' to compare");
    expect(errorOf('facts.x === 1').reason).toMatch(/there is no '==='/);
    expect(errorOf('a & b').reason).toBe("use 'and' or '&&'");
    expect(errorOf('hour（now）').reason).toBe("full-width '（' is not allowed here; type '('");
    expect(errorOf('a < b < c')).toMatchObject({ reason: "comparisons cannot be chained; join them with 'and', e.g. a < b and b < c", column: 7 });
    expect(errorOf("not case.source in ['sensor']").reason).toMatch(/'not' here applies only to the left side of 'in'/);
    expect(evaluate("(not true) in [false]")).toBe(true); // explicit grouping is accepted
    expect(evaluate('not (1 in [1])')).toBe(false);
  });

  it('gives the line and column in a multi-line expression, and keeps the caret under Chinese text', () => {
    const e = errorOf("facts.x > 1\n  and '国宾' +");
    expect(e).toMatchObject({ line: 2, column: 13 });
    expect(e.message).toBe(`unexpected end of the expression at line 2, column 13:\n    and '国宾' +\n  ${' '.repeat(7)}\u3000\u3000${' '.repeat(3)}^`);
  });
});

describe('limits', () => {
  it(`source at most ${MAX_SOURCE_LENGTH} characters`, () => {
    const long = `facts.x == '${'a'.repeat(MAX_SOURCE_LENGTH)}'`;
    expect(errorOf(long).reason).toMatch(/characters long; the limit is 2000/);
  });

  it(`nesting at most ${MAX_DEPTH} levels, by parentheses or by long chains`, () => {
    expect(evaluate(`${'('.repeat(60)}1${')'.repeat(60)}`)).toBe(1);
    expect(errorOf(`${'('.repeat(MAX_DEPTH + 1)}1${')'.repeat(MAX_DEPTH + 1)}`).reason).toBe('the expression is nested deeper than 64 levels');
    expect(evaluate(Array(MAX_DEPTH).fill('1').join(' + '))).toBe(MAX_DEPTH);
    expect(errorOf(Array(MAX_DEPTH + 2).fill('1').join(' + ')).reason).toBe('the expression is nested deeper than 64 levels');
    expect(errorOf(`${'not '.repeat(100)}true`).reason).toBe('the expression is nested deeper than 64 levels');
  });

  it(`evaluation stops after ${MAX_STEPS} steps, counting elements looked at`, () => {
    const big = { facts: { readings: Array.from({ length: 20_000 }, (_, i) => i) } };
    expect(evaluate('5 in facts.readings', big)).toBe(true);
    const e = errorOf('-1 in facts.readings', big);
    expect(e.reason).toBe('the expression took more than 10000 steps and was stopped');
    expect(errorOf('max(facts.readings)', big).reason).toMatch(/more than 10000 steps/);
    const twins = { facts: { a: [...big.facts.readings], b: [...big.facts.readings] } };
    expect(errorOf('facts.a == facts.b', twins).reason).toMatch(/more than 10000 steps/);
    expect(() => compileExpression('1 + 1 + 1 + 1', { maxSteps: 2 }).evaluate({})).toThrow(/more than 2 steps/);
  });

  it('refuses to compare values nested too deeply (no stack overflow)', () => {
    const nest = (levels: number): unknown => (levels === 0 ? 1 : [nest(levels - 1)]);
    expect(evaluate('facts.a == facts.b', { facts: { a: nest(60), b: nest(60) } })).toBe(true);
    expect(errorOf('facts.a == facts.b', { facts: { a: nest(100), b: nest(100) } }).reason).toMatch(/nested deeper than 64 levels cannot be compared/);
  });
});

describe('the compiled expression', () => {
  it('lists each path it reads once, in order, in one spelling', () => {
    const c = compileExpression(
      "facts.water_main.diameter_mm >= 500 or facts['water_main'].diameter_mm == null or len(facts.signals) > 2 or facts.signals[0].properties.device_id == 'x' or hour(case.reportedAt) > 22 or facts[\"名称\"] == 1",
    );
    expect(c.paths).toEqual(['facts.water_main.diameter_mm', 'facts.signals', 'facts.signals[0].properties.device_id', 'case.reportedAt', 'facts["名称"]']);
    expect(Object.isFrozen(c.paths)).toBe(true);
    expect(compileExpression('1 + 2').paths).toEqual([]);
  });

  it('lets the caller refuse paths, at their position', () => {
    const checkPath = (p: { root: string }): string | null => (p.root === 'facts' || p.root === 'case' ? null : `'${p.root}' is not available`);
    expect(compileExpression('facts.a and case.b', { checkPath }).paths).toEqual(['facts.a', 'case.b']);
    try {
      compileExpression('facts.a and level.tier', { checkPath });
      expect.unreachable();
    } catch (e) {
      expect(e).toMatchObject({ reason: "'level' is not available", column: 13 });
    }
  });

  it('evaluateBoolean insists on true or false', () => {
    const c = compileExpression('facts.water_main.diameter_mm');
    expect(() => c.evaluateBoolean(burst)).toThrow(/the condition must be true or false, got number 400/);
    expect(compileExpression('facts.water_main.diameter_mm < 500').evaluateBoolean(burst)).toBe(true);
  });

  it('keeps its source, and serialises as it', () => {
    const c = compileExpression(' facts.x  < 3 ');
    expect(c.source).toBe(' facts.x  < 3 ');
    expect(JSON.stringify({ when: c })).toBe('{"when":" facts.x  < 3 "}');
  });

  it('is compiled once and evaluated again and again to the same answer', () => {
    // How fast is measured by the benchmarks (bench/), not asserted here.
    const c = compileExpression('facts.water_main.diameter_mm < 500');
    const n = 10_000;
    let hits = 0;
    for (let i = 0; i < n; i++) if (c.evaluate(burst) === true) hits++;
    expect(hits).toBe(n);
  });
});

describe('docs/reference/expressions.md', () => {
  const doc = readFileSync(new URL('../../docs/reference/expressions.md', import.meta.url), 'utf8');

  it('every condition it shows compiles', () => {
    const whens = [...doc.matchAll(/when: "([^"]+)"/g)].map((m) => m[1]!);
    const shapes = doc.split('Other shapes:')[1]!.split('```text')[1]!.split('```')[0]!.trim().split('\n').map((l) => l.replace(/\s+#.*$/, '').trim());
    expect(whens.length + shapes.length).toBeGreaterThan(10);
    for (const source of [...whens, ...shapes]) expect(() => compileExpression(source), source).not.toThrow();
  });

  it('lists every function', () => {
    for (const name of EXPRESSION_FUNCTIONS) expect(doc).toContain(`\`${name}(`);
  });
});
