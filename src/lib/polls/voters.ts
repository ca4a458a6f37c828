/**
 * The **Voters** list of a poll that shows who voted (`show_voters`): ephemeral pages of members and what they
 * picked, each page within Discord's 2,000 characters, with Previous and Next buttons.
 */
import { ButtonStyle, ComponentType, escapeMarkdown, type APIActionRowComponent, type APIComponentInMessageActionRow } from 'discord.js';
import { buildCustomId, CustomIdPrefix } from '../custom-ids.js';
import type { Translator } from '../i18n/index.js';
import type { PollRow } from './repository.js';

/** Members per page: 20 lines of at most {@link lineMax} characters leave room for the title in 2,000. */
export const VoterPageSize = 20;
const lineMax = 90;

export interface VoterPage {
	readonly poll: PollRow;
	readonly labels: readonly string[];
	readonly voters: readonly { readonly userId: string; readonly choices: readonly number[] }[];
	/** From 0. */
	readonly page: number;
	readonly pages: number;
}

export function renderVoterPage(t: Translator, { poll, labels, voters, page, pages }: VoterPage) {
	const name = (index: number) => escapeMarkdown(labels[index] ?? t('polls:optionFallback', { position: index + 1 }));
	const lines = voters.map(({ userId, choices }) => {
		const picked = choices.map((option, position) => (poll.ranked ? `${position + 1}. ${name(option)}` : name(option))).join(', ');
		const line = `<@${userId}>: ${picked}`;
		return line.length <= lineMax ? line : `${line.slice(0, lineMax - 1)}…`;
	});
	const content =
		voters.length === 0 && page === 0
			? t('ballots:voters.none', { number: poll.number })
			: [t('ballots:voters.title', { number: poll.number, page: page + 1, pages }), ...lines].join('\n');
	const button = (target: number, label: string, disabled: boolean) => ({
		type: ComponentType.Button as const,
		style: ButtonStyle.Secondary as const,
		custom_id: buildCustomId(CustomIdPrefix.PollVoters, poll.guildId, poll.number, target),
		label,
		disabled
	});
	const components: APIActionRowComponent<APIComponentInMessageActionRow>[] =
		pages <= 1
			? []
			: [
					{
						type: ComponentType.ActionRow,
						components: [
							button(Math.max(0, page - 1), t('ballots:voters.previous'), page === 0),
							// With two pages or more the two targets always differ, as Discord needs two custom ids to.
							button(Math.min(pages - 1, page + 1), t('ballots:voters.next'), page >= pages - 1)
						]
					}
				];
	return { content, components };
}
