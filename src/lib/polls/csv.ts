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
