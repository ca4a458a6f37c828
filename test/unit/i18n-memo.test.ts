import i18next from 'i18next';
import { describe, expect, test } from 'vitest';
import { translator } from '../../src/lib/i18n/index.js';

// translator() remembers recent texts (src/lib/i18n/index.ts): whatever it remembers must be what i18next says.

const direct = (locale: string, key: string, values: Record<string, unknown>) =>
	i18next.t(key as never, { ...values, lng: locale } as never) as unknown as string;

describe('the translator remembers texts without ever giving one for other values', () => {
	test('each language and each value gives its own text, the same as i18next, asked once or again', () => {
		for (const locale of ['en-US', 'de']) {
			const t = translator(locale);
			for (const number of [1, 2, 1]) {
				const values = { number, choices: `**Beach ${number}**` };
				expect(t('polls:yourVote', values)).toBe(direct(locale, 'polls:yourVote', values));
			}
		}
		expect(translator('de')('polls:yourVote', { number: 3, choices: 'x' })).toContain('Umfrage #3');
		expect(translator('en-US')('polls:yourVote', { number: 3, choices: 'x' })).toContain('poll #3');
	});

	test('a value holding the separator cannot pass for other values', () => {
		const t = translator('en-US');
		// Without the length prefix both would be remembered under `…choices␀sA␀number␀n5`.
		const crafted = { choices: 'A\u0000number\u0000n5' };
		const plain = { choices: 'A', number: 5 };
		expect(t('polls:yourVote', crafted)).toBe(direct('en-US', 'polls:yourVote', crafted));
		expect(t('polls:yourVote', plain)).toBe(direct('en-US', 'polls:yourVote', plain));
		expect(t('polls:yourVote', plain)).not.toBe(t('polls:yourVote', crafted));
		// A number and the string of its digits are different values to i18next's plurals: never the same entry.
		expect(t('polls:optionFallback', { position: 2 })).toBe(direct('en-US', 'polls:optionFallback', { position: 2 }));
		expect(t('polls:optionFallback', { position: '2' })).toBe(direct('en-US', 'polls:optionFallback', { position: '2' }));
	});

	test('a changed message tree is read again, not remembered', () => {
		const t = translator('en-US');
		expect(t('polls:yourVote', { number: 9, choices: 'x' })).toBe('Your vote in poll #9: x.');
		const original = i18next.getResource('en-US', 'polls', 'yourVote') as string;
		try {
			i18next.addResource('en-US', 'polls', 'yourVote', 'Changed #{{number}}');
			expect(t('polls:yourVote', { number: 9, choices: 'x' })).toBe('Changed #9');
		} finally {
			i18next.addResource('en-US', 'polls', 'yourVote', original);
		}
		expect(t('polls:yourVote', { number: 9, choices: 'x' })).toBe('Your vote in poll #9: x.');
	});

	test('values that are not plain text, numbers or booleans are translated each time', () => {
		const t = translator('en-US');
		const first = { toString: () => 'first' };
		const second = { toString: () => 'second' };
		expect(t('polls:yourVote', { number: 1, choices: first })).toBe(direct('en-US', 'polls:yourVote', { number: 1, choices: first }));
		expect(t('polls:yourVote', { number: 1, choices: second })).toBe(direct('en-US', 'polls:yourVote', { number: 1, choices: second }));
	});
});
