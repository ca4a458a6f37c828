/**
 * Every component custom id the bot sends: a short prefix, then ids only (never user text), joined by `:`.
 * Handlers recognise their ids here and reject anything else early. Discord allows 100 characters; ids stay far
 * below that because they hold only prefixes and snowflakes or small numbers.
 */
export const CustomIdPrefix = {
	/** `apv:<guildId>:<a|d>` on the approval DM sent to owners. */
	Approval: 'apv',
	/** `adm:<status|all>:<page>` pages of `/admin servers` and `/admin pending`. */
	AdminList: 'adm',
	/** `pv:<guildId>:<pollNumber>:<optionIndex>` a poll's option button. */
	PollVote: 'pv',
	/** `ps:<guildId>:<pollNumber>` a poll's select menu. */
	PollSelect: 'ps',
	/** `pm:<guildId>:<pollNumber>` a poll's **My vote** button. */
	PollMine: 'pm',
	/** `pc:<guildId>:<pollNumber>` a poll's **Close** button. */
	PollClose: 'pc',
	/** `pr:<guildId>:<pollNumber>` a ranked poll's **Rank** button, which opens the ballot. */
	PollRank: 'pr',
	/** `pb:<guildId>:<pollNumber>` the ranked ballot (a modal); its menus are `r1`, `r2`, ... by rank. */
	PollBallot: 'pb',
	/** `pw:<guildId>:<pollNumber>:<page>` the **Voters** button and its pages (page 0 first). */
	PollVoters: 'pw',
	/** `pl:<guildId>:<page>` pages of `/poll list`. */
	PollList: 'pl'
} as const;

export const customIdSeparator = ':';
export const customIdMaxLength = 100;

export function buildCustomId(prefix: string, ...parts: readonly (string | number)[]): string {
	const id = [prefix, ...parts].join(customIdSeparator);
	if (id.length > customIdMaxLength) throw new RangeError(`custom id longer than ${customIdMaxLength} characters: ${id}`);
	return id;
}

/** The parts after `prefix`, or `null` when the id belongs to something else. */
export function parseCustomId(customId: string, prefix: string): string[] | null {
	const parts = customId.split(customIdSeparator);
	return parts[0] === prefix ? parts.slice(1) : null;
}
