import { CustomIdPrefix, parseCustomId } from '../custom-ids.js';
import { isSnowflake } from '../snowflake.js';
import { PollLimits } from './rules.js';

export type PollComponent = 'vote' | 'select' | 'mine' | 'close' | 'rank' | 'ballot' | 'voters';

const prefixOf: Record<PollComponent, string> = {
	vote: CustomIdPrefix.PollVote,
	select: CustomIdPrefix.PollSelect,
	mine: CustomIdPrefix.PollMine,
	close: CustomIdPrefix.PollClose,
	rank: CustomIdPrefix.PollRank,
	ballot: CustomIdPrefix.PollBallot,
	voters: CustomIdPrefix.PollVoters
};

export interface PollComponentId {
	readonly guildId: string;
	readonly number: number;
	/** The option of a vote button; the page of a **Voters** button. */
	readonly option: number | null;
}

/**
 * Reads a poll component's custom id: `null` when it is not a `kind` id at all (another handler's), `'malformed'`
 * when it has the prefix but not the shape the bot writes.
 */
export function parsePollComponentId(customId: string, kind: PollComponent): PollComponentId | 'malformed' | null {
	const parts = parseCustomId(customId, prefixOf[kind]);
	if (parts === null) return null;
	const [guildId, number, option, ...rest] = parts;
	if (guildId === undefined || !isSnowflake(guildId) || number === undefined || !/^[1-9]\d{0,8}$/.test(number)) return 'malformed';
	if (kind === 'voters') {
		return option === undefined || rest.length > 0 || !/^\d{1,4}$/.test(option)
			? 'malformed'
			: { guildId, number: Number(number), option: Number(option) };
	}
	if (kind !== 'vote') return option === undefined ? { guildId, number: Number(number), option: null } : 'malformed';
	if (option === undefined || rest.length > 0 || !/^\d{1,2}$/.test(option) || Number(option) >= PollLimits.maxOptions) return 'malformed';
	return { guildId, number: Number(number), option: Number(option) };
}
