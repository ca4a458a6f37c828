import { describe, expect, test } from 'vitest';
import { csvCell, toCsv, toCsvWithin } from '../../src/lib/polls/csv.js';

describe('csvCell', () => {
	// One line per cell: what a member may write, and what the file must hold.
	test.each([
		['plain', 'plain'],
		['', ''],
		['=1+1', "'=1+1"],
		['-1', "'-1"],
		['＝1+1', "'＝1+1"],
		['＋1', "'＋1"],
		['＠SUM(A1)', "'＠SUM(A1)"],
		['a=1', 'a=1'],
		['one\ntwo', '"one\ntwo"'],
		['one\rtwo', '"one\rtwo"'],
		['\rx', `"'\rx"`],
		['"=1"', '"""=1"""'],
		['a,b', '"a,b"']
	])('GIVEN the text %j WHEN written THEN the cell is %j', (value, cell) => {
		expect(csvCell(value)).toBe(cell);
	});

	test('GIVEN negative numbers WHEN written THEN they stay numbers, not text', () => {
		expect([-1, 0, 12].map(csvCell)).toEqual(['-1', '0', '12']);
	});
});

describe('toCsvWithin', () => {
	const header = ['user_id', 'option', 'voted_at'];
	const rows = Array.from({ length: 2_500 }, (_, index) => ['123456789012345678', `Option ${index % 25} é`, index]);
	const size = (count: number) => Buffer.byteLength(toCsv(header, rows.slice(0, count)));

	test.each([0, 1, 999, 1_000, 1_001, 1_700, 2_499])(
		'GIVEN a limit that fits exactly %i rows, across batches WHEN written THEN it holds those rows and no part of the next',
		(count) => {
			const limit = size(count + 1) - 1;
			expect(toCsvWithin(header, rows, limit)).toEqual({ text: toCsv(header, rows.slice(0, count)), rows: count });
		}
	);

	test('GIVEN a limit above the whole file WHEN written THEN every row is there', () => {
		expect(toCsvWithin(header, rows, size(rows.length))).toEqual({ text: toCsv(header, rows), rows: rows.length });
	});
});
