/**
 * What the bot does to text a member typed before it shows it to others: nothing that changes what they meant, only
 * what could hide or fake something in a message the bot signs.
 */

/**
 * Bidi embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069). An override reverses everything after it
 * up to the end of the paragraph, the bot's own words included (a label could make "Your vote" read backwards or
 * disguise a link); none of them is needed to write any language, which the Unicode algorithm orders by itself.
 */
const bidiControls = /[\u202A-\u202E\u2066-\u2069]/g;

/**
 * Characters that show nothing on their own: white space, format characters (zero-width space and joiners, bidi
 * marks, the word joiner, soft hyphen...), combining marks with nothing to combine with, variation selectors, and
 * the blank-looking letters spammers use (Hangul fillers, the braille blank).
 */
const invisible = /^[\s\p{Cf}\p{M}\p{Zs}\u115F\u1160\u3164\uFFA0\u2800]*$/u;

/** A masked link, `[text](url)`: Discord shows only `text` and hides where it leads. */
const maskedLink = /\]\(/g;

/**
 * `text` made safe to show in the bot's messages: bidi controls removed and masked links broken (`[text] (url)`,
 * which shows the address in full). Markdown otherwise stays: a question may use bold or italics.
 */
export function neutraliseUserText(text: string): string {
	return text.replace(bidiControls, '').replace(maskedLink, '] (');
}

/** Whether `text` would show as nothing (a button or question that looks empty). */
export function isInvisible(text: string): boolean {
	return invisible.test(text);
}
