import { defaultLocale, translator, type Translator } from '../i18n/index.js';
import { shippedLocale } from '../i18n/readers.js';
import type { PollRow } from './repository.js';

/**
 * The words of a poll's public messages: the language it was created in, so every later edit, the close and its
 * notice read the same, also when the scheduler closes it with no interaction to take a language from.
 */
export function pollTranslator(poll: Pick<PollRow, 'locale'>): Translator {
	return translator(shippedLocale(poll.locale) ?? defaultLocale);
}
