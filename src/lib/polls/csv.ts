/**
 * CSV for `/poll export`, safe to open in a spreadsheet: RFC 4180 quoting, and a text cell that a spreadsheet would
 * run as a formula (starting with `=`, `+`, `-`, `@`, tab or carriage return, or their full-width forms) is prefixed
 * with `'` so it stays text.
 */
import { stringify, type Options } from 'csv-stringify/sync';

type Cell = string | number;

const options: Options = {
	escape_formulas: true,
	record_delimiter: 'windows',
	// With a record delimiter set, csv-stringify stops quoting cells that hold a lone \n or \r unless told to.
	quote_record_delimiter: true
};

/** Rows given to csv-stringify at once: one call per row costs about 7 µs, most of a second at 100,000 votes. */
const batchRows = 1_000;

export function csvCell(value: Cell): string {
	return stringify([[value]], { ...options, eof: false });
}

export function toCsv(header: readonly string[], rows: readonly (readonly Cell[])[]): string {
	return stringify([header, ...rows], options);
}

/**
 * {@link toCsv}, stopping before the row that would take the text past `maxBytes` (UTF-8): returns the text and how
 * many rows it holds.
 */
export function toCsvWithin(header: readonly string[], rows: readonly (readonly Cell[])[], maxBytes: number): { text: string; rows: number } {
	const parts = [stringify([header], options)];
	let bytes = Buffer.byteLength(parts[0]!);
	let taken = 0;
	for (let start = 0; start < rows.length; start += batchRows) {
		const batch = rows.slice(start, start + batchRows);
		const text = stringify(batch, options);
		const size = Buffer.byteLength(text);
		if (bytes + size <= maxBytes) {
			parts.push(text);
			bytes += size;
			taken += batch.length;
			continue;
		}
		// The batch goes past the limit: take it row by row up to the last whole row that fits.
		for (const row of batch) {
			const line = stringify([row], options);
			const lineSize = Buffer.byteLength(line);
			if (bytes + lineSize > maxBytes) break;
			parts.push(line);
			bytes += lineSize;
			taken += 1;
		}
		break;
	}
	return { text: parts.join(''), rows: taken };
}
