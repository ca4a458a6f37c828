/**
 * CSV for `/poll export`, safe to open in a spreadsheet: RFC 4180 quoting, and a cell that a spreadsheet would run
 * as a formula (starting with `=`, `+`, `-`, `@`, tab or carriage return) is prefixed with `'` so it stays text.
 */
const formulaStart = /^[=+\-@\t\r]/;

export function csvCell(value: string | number): string {
	let text = String(value);
	if (typeof value === 'string' && formulaStart.test(text)) text = `'${text}`;
	return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function toCsv(header: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
	return [header, ...rows].map((row) => row.map(csvCell).join(',')).join('\r\n') + '\r\n';
}

/**
 * {@link toCsv}, stopping before the row that would take the text past `maxBytes` (UTF-8): returns the text and how
 * many rows it holds.
 */
export function toCsvWithin(
	header: readonly string[],
	rows: readonly (readonly (string | number)[])[],
	maxBytes: number
): { text: string; rows: number } {
	const lines = [header.map(csvCell).join(',') + '\r\n'];
	let bytes = Buffer.byteLength(lines[0]!);
	for (const row of rows) {
		const line = row.map(csvCell).join(',') + '\r\n';
		const size = Buffer.byteLength(line);
		if (bytes + size > maxBytes) break;
		lines.push(line);
		bytes += size;
	}
	return { text: lines.join(''), rows: lines.length - 1 };
}
