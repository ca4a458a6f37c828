/** A poll is named by its server and its number in that server; a number alone never identifies a poll. */
export interface PollRef {
	readonly guildId: string;
	readonly number: number;
}

/** The one string form of a {@link PollRef}, for in-memory maps (edits waiting, salts, labels). */
export function pollKey({ guildId, number }: PollRef): string {
	return `${guildId}:${number}`;
}
