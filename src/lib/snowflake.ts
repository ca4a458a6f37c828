/** A Discord id (user, server, message...) as it appears in text: 17 to 20 digits (Discord's ids are 64-bit). */
export const snowflakePattern = /^\d{17,20}$/;

/** The largest id PostgreSQL's `bigint` holds; Discord's ids stay below it (they count milliseconds since 2015). */
const largestBigint = 9_223_372_036_854_775_807n;

/**
 * Whether `value` is a Discord id the database can store: the pattern alone lets ids past `bigint`'s range through, and such an id failed in SQL (an apology) instead of being refused as not an id.
 */
export function isSnowflake(value: string): boolean {
	return snowflakePattern.test(value) && BigInt(value) <= largestBigint;
}
