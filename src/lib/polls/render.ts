/**
 * What the bot shows about a poll, built from plain poll state: the poll message (embed and components), the
 * answers to `/poll results` and `/poll list`, and the closing notice. Output is Discord API JSON, so it can go
 * through an interaction reply or the bot's REST alike.
 */
import {
	ButtonStyle,
	ComponentType,
	escapeMarkdown,
	type APIActionRowComponent,
	type APIComponentInMessageActionRow,
	type APIEmbed
} from 'discord.js';
import { buildCustomId, CustomIdPrefix } from '../custom-ids.js';
import type { Translator } from '../i18n/index.js';
import type { PollOption, PollRow, PollState, VoteRecord } from './repository.js';
import { countsVisible, PollLimits, winners } from './rules.js';

export const PollColors = { open: 0x5865f2, closed: 0x4f545c } as const;
const barWidth = 10;

export interface PollMessage {
	readonly embeds: APIEmbed[];
	readonly components: APIActionRowComponent<APIComponentInMessageActionRow>[];
}

export function renderPollMessage(t: Translator, state: PollState): PollMessage {
	return { embeds: [renderPollEmbed(t, state)], components: renderComponents(t, state) };
}

/** Discord's limits on what a message shows. */
export const DiscordLimits = {
	content: 2_000,
	embedDescription: 4_096,
	embedFieldName: 256,
	embedFieldValue: 1_024,
	/** Title, description, field names and values, footer and author together. */
	embedTotal: 6_000
} as const;

/** The winner line in the poll's embed is cut to this; the closing notice gives it what is left of its 2,000. */
const embedWinnerMax = 1_000;

/**
 * The poll's embed, within Discord's limits whatever the labels: escaping markdown can double a label, so 25 tied
 * labels of `*` would not fit. The winner line is cut first (to what is left of the embed's 6,000 characters, and at
 * most 1,000), then, if still needed, the option names.
 */
export function renderPollEmbed(t: Translator, { poll, options }: PollState): APIEmbed {
	const visible = countsVisible(poll);
	const total = options.reduce((sum, option) => sum + option.votes, 0);
	const hiddenNote = t('polls:message.hidden');
	const title = t(poll.closedAt === null ? 'polls:message.title' : 'polls:message.titleClosed', { number: poll.number });
	const footer = t('polls:message.footer', { number: poll.number });
	const values = options.map((option) => (visible ? countLine(t, option.votes, total) : hiddenNote));
	let names = options.map((option) => fieldName(option, DiscordLimits.embedFieldName));
	const head = [poll.question, '', ...settingsLines(t, poll)];
	const tail = [t('polls:message.voters', { voters: visible ? formatCount(poll.voterCount) : hiddenNote, creatorId: poll.creatorId })];
	if (poll.closedAt === null) {
		head.push(
			poll.closesAt === null
				? t('polls:message.openUntilClosed')
				: t('polls:message.closes', { date: timestamp(poll.closesAt, 'f'), relative: timestamp(poll.closesAt, 'R') })
		);
	} else {
		head.push(t('polls:message.closed', { date: timestamp(poll.closedAt, 'f') }));
	}
	const sum = (texts: readonly string[]) => texts.reduce((length, text) => length + text.length, 0);
	const fixed = title.length + footer.length + sum(values) + [...head, ...tail].join('\n').length;
	let description = [...head, ...tail].join('\n');
	if (poll.closedAt !== null) {
		// "\n**" and "**": the winner line is one more line of the description, in bold.
		const room = Math.min(
			embedWinnerMax,
			DiscordLimits.embedTotal - fixed - sum(names) - 5,
			DiscordLimits.embedDescription - description.length - 5
		);
		const winner = winnerLine(t, options, Math.max(room, minWinnerLine));
		description = [...head, `**${winner}**`, ...tail].join('\n');
	}
	const overflow = title.length + footer.length + sum(values) + description.length + sum(names) - DiscordLimits.embedTotal;
	if (overflow > 0 && names.length > 0) {
		const perName = Math.floor((DiscordLimits.embedTotal - (title.length + footer.length + sum(values) + description.length)) / names.length);
		names = options.map((option) => fieldName(option, perName));
	}
	return {
		title,
		description,
		color: poll.closedAt === null ? PollColors.open : PollColors.closed,
		fields: names.map((name, position) => ({ name, value: values[position]! })),
		footer: { text: footer }
	};
}

/** The shortest the winner line is ever cut to: enough for "Tie between 25 options:", one name and "… and 24 more". */
const minWinnerLine = 220;

/** `3. Label`, markdown escaped, at most `max` characters. */
function fieldName(option: PollOption, max: number): string {
	return truncateEscaped(`${option.index + 1}. ${escapeMarkdown(option.label)}`, max);
}

function settingsLines(t: Translator, poll: PollRow): string[] {
	const settings = [
		poll.maxChoices > 1 ? t('polls:message.pickUpTo', { max: poll.maxChoices }) : t('polls:message.pickOne'),
		...(poll.anonymous ? [t('polls:message.anonymous')] : []),
		...(poll.hideResults ? [t('polls:message.resultsHidden')] : []),
		...(poll.roleId === null ? [] : [t('polls:message.onlyRole', { roleId: poll.roleId })])
	];
	return [settings.join(' · ')];
}

export function countLine(t: Translator, votes: number, total: number): string {
	const share = total === 0 ? 0 : votes / total;
	const filled = Math.round(share * barWidth);
	const count = t('polls:message.votes', { count: votes, formatted: formatCount(votes) });
	return `\`${'█'.repeat(filled)}${'░'.repeat(barWidth - filled)}\` ${count} · ${Math.round(share * 100)}%`;
}

/**
 * `Winner: Pizza`, `Tie: Pizza, Sushi`, or, when the tied names do not fit in `max` characters,
 * `Tie between 25 options: A, B, … and 23 more`.
 */
export function winnerLine(t: Translator, options: readonly PollOption[], max = embedWinnerMax): string {
	const top = winners(options.map((option) => option.votes));
	if (top.length === 0) return t('polls:message.noVotes');
	const names = top.map((index) => escapeMarkdown(options[index]!.label));
	if (top.length === 1) return truncateEscaped(t('polls:message.winner', { name: names[0] }), max);
	const full = t('polls:message.tie', { names: names.join(', ') });
	if (full.length <= max) return full;
	let line = t('polls:message.tieBetween', { count: names.length });
	let shown = 0;
	for (const name of names) {
		const more = ` ${t('polls:message.andMore', { count: names.length - shown - 1 })}`;
		const next = `${line}${shown === 0 ? ' ' : ', '}${name}`;
		if (next.length + (shown + 1 < names.length ? more.length + 1 : 0) > max) break;
		line = next;
		shown++;
	}
	return truncateEscaped(`${line}${shown === 0 ? '' : ','} ${t('polls:message.andMore', { count: names.length - shown })}`, max);
}

function renderComponents(t: Translator, { poll, options }: PollState): APIActionRowComponent<APIComponentInMessageActionRow>[] {
	const disabled = poll.closedAt !== null;
	const rows: APIActionRowComponent<APIComponentInMessageActionRow>[] = [];
	if (usesButtons(poll)) {
		for (let start = 0; start < options.length; start += PollLimits.buttonsPerRow) {
			rows.push({
				type: ComponentType.ActionRow,
				components: options.slice(start, start + PollLimits.buttonsPerRow).map((option) => ({
					type: ComponentType.Button,
					style: ButtonStyle.Secondary,
					custom_id: buildCustomId(CustomIdPrefix.PollVote, poll.guildId, poll.number, option.index),
					label: option.label,
					disabled
				}))
			});
		}
	} else {
		rows.push({
			type: ComponentType.ActionRow,
			components: [
				{
					type: ComponentType.StringSelect,
					custom_id: buildCustomId(CustomIdPrefix.PollSelect, poll.guildId, poll.number),
					placeholder: poll.maxChoices === 1 ? t('polls:message.choose') : t('polls:message.chooseUpTo', { max: poll.maxChoices }),
					min_values: 0,
					max_values: poll.maxChoices,
					options: options.map((option) => ({ label: option.label, value: String(option.index) })),
					disabled
				}
			]
		});
	}
	rows.push({
		type: ComponentType.ActionRow,
		components: [
			{
				type: ComponentType.Button,
				style: ButtonStyle.Primary,
				custom_id: buildCustomId(CustomIdPrefix.PollMine, poll.guildId, poll.number),
				label: t('polls:message.myVote'),
				disabled
			},
			{
				type: ComponentType.Button,
				style: ButtonStyle.Danger,
				custom_id: buildCustomId(CustomIdPrefix.PollClose, poll.guildId, poll.number),
				label: t('polls:message.close'),
				disabled
			}
		]
	});
	return rows;
}

/** One button per option for a single-choice poll of up to 20 options; a select menu otherwise. */
export function usesButtons(poll: Pick<PollRow, 'maxChoices' | 'optionCount'>): boolean {
	return poll.maxChoices === 1 && poll.optionCount <= PollLimits.maxButtons;
}

/** The ephemeral answer to a vote or to **My vote**. */
export function describeChoices(t: Translator, poll: Pick<PollRow, 'number'>, labels: readonly string[], choices: readonly number[]): string {
	if (choices.length === 0) return t('polls:noVote', { number: poll.number });
	const names = choices.map((index) => `**${escapeMarkdown(labels[index] ?? t('polls:optionFallback', { position: index + 1 }))}**`);
	const listing = (shown: number) =>
		t('polls:yourVote', {
			number: poll.number,
			choices: [...names.slice(0, shown), ...(shown < names.length ? [t('faults:moreChoices', { count: names.length - shown })] : [])].join(
				', '
			)
		});
	// 25 long labels, escaped, run past Discord's 2,000 characters, and Discord would refuse the whole answer although
	// the vote counted: name as many as fit, then how many more.
	for (let shown = names.length; shown > 1; shown--) {
		const text = listing(shown);
		if (text.length <= DiscordLimits.content) return text;
	}
	return truncate(listing(1), DiscordLimits.content);
}

/**
 * `/poll results`: counts (unless hidden), and who voted for what when `voters` is given. `voters` may be the first
 * few votes only: each option lists the mentions that fit in the answer's 2,000 characters and says how many more
 * its count holds.
 */
export function renderResults(t: Translator, state: PollState, voters: readonly VoteRecord[] | null): string {
	const { poll, options } = state;
	const header = t(poll.closedAt === null ? 'polls:results.header' : 'polls:results.headerClosed', {
		number: poll.number,
		question: poll.question
	});
	if (!countsVisible(poll)) return `${header}\n${t('polls:results.hidden')}`;
	const total = options.reduce((sum, option) => sum + option.votes, 0);
	const counts = options.map((option) => `${option.index + 1}. ${escapeMarkdown(option.label)}: ${countLine(t, option.votes, total)}`);
	const footer = poll.closedAt === null ? [] : [winnerLine(t, options, 500)];
	const opening = [header, t('polls:results.voters', { voters: formatCount(poll.voterCount) })];
	const andMore = (count: number) => t('polls:results.andMore', { count: formatCount(count) });
	if (voters === null) return truncate([...opening, ...counts, ...footer].join('\n'), resultsMaxLength);

	// Every option with votes keeps room for at least its "…and N more"; mentions fill what is left, in order.
	const shortest = options.map((option) => (option.votes > 0 ? `\n   ${andMore(option.votes)}`.length : 0));
	let reserved = shortest.reduce((sum, length) => sum + length, 0);
	let budget = resultsMaxLength - [...opening, ...counts, ...footer].join('\n').length;
	const lines = [...opening];
	for (const [position, option] of options.entries()) {
		lines.push(counts[position]!);
		reserved -= shortest[position]!;
		const line = votersLine(
			voters.filter((vote) => vote.option === option.index).map((vote) => `<@${vote.userId}>`),
			option.votes,
			budget - reserved - 1,
			andMore
		);
		if (line === null) continue;
		lines.push(line);
		budget -= line.length + 1;
	}
	lines.push(...footer);
	return truncate(lines.join('\n'), resultsMaxLength);
}

const resultsMaxLength = 2_000;

/** `   <@1> <@2> …and 7 more`, at most `max` characters; `null` when there is nothing to say or no room to say it. */
function votersLine(mentions: readonly string[], count: number, max: number, andMore: (count: number) => string): string | null {
	const indent = '   ';
	const moreText = (shown: number) => {
		const more = count - shown;
		return more > 0 ? andMore(more) : '';
	};
	let shown = 0;
	let length = indent.length;
	for (const mention of mentions) {
		const rest = moreText(shown + 1);
		const next = length + (shown === 0 ? 0 : 1) + mention.length;
		if (next + (rest.length === 0 ? 0 : rest.length + 1) > max) break;
		length = next;
		shown++;
	}
	const parts = [...mentions.slice(0, shown), moreText(shown)].filter((part) => part.length > 0);
	if (parts.length === 0) return null;
	const line = `${indent}${parts.join(' ')}`;
	return line.length <= max ? line : null;
}

/** `/poll list`: open polls with links to their messages. */
export function renderOpenList(t: Translator, polls: readonly PollRow[], total: number): string {
	if (polls.length === 0) return t('polls:list.none');
	const lines = polls.map((poll) => {
		const link = poll.messageId === null ? '' : ` · ${messageLink(poll)}`;
		const closes = poll.closesAt === null ? '' : ` · ${t('polls:list.closes', { relative: timestamp(poll.closesAt, 'R') })}`;
		return `**#${poll.number}** ${truncate(escapeMarkdown(poll.question), 80)}${closes}${link}`;
	});
	if (total > polls.length) lines.push(t('polls:list.andMore', { count: total - polls.length }));
	return truncate(`${t('polls:list.title', { total })}\n${lines.join('\n')}`, 2000);
}

/** The short reply in the channel when a poll closes: at most 2,000 characters, the link always whole. */
export function renderClosedNotice(t: Translator, state: PollState): string {
	const link = state.poll.messageId === null ? '' : ` ${messageLink(state.poll)}`;
	const opening = `${t('polls:closedNotice', { number: state.poll.number })} `;
	const winner = winnerLine(t, state.options, DiscordLimits.content - opening.length - link.length);
	return truncate(`${opening}${winner}${link}`, DiscordLimits.content);
}

/** An autocomplete choice for the `poll` option. */
export function autocompleteChoice(t: Translator, poll: PollRow): { name: string; value: string } {
	const name = `#${poll.number} ${poll.closedAt === null ? '' : `${t('polls:autocompleteClosed')} `}${poll.question}`;
	return { name: truncate(name.replace(/\s+/g, ' '), 100), value: String(poll.number) };
}

export function messageLink(poll: Pick<PollRow, 'guildId' | 'channelId' | 'messageId'>): string {
	return `https://discord.com/channels/${poll.guildId}/${poll.channelId}/${poll.messageId ?? ''}`;
}

function timestamp(date: Date, style: 'f' | 'R'): string {
	return `<t:${Math.floor(date.getTime() / 1000)}:${style}>`;
}

/** 1234567 → "1,234,567". Not `toLocaleString`: the first use of Intl maps several MB of ICU data into the process. */
export function formatCount(count: number): string {
	return String(Math.trunc(count)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

function truncate(text: string, max: number): string {
	return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** {@link truncate} for markdown-escaped text: never leaves a lone backslash, which would escape the `…`. */
function truncateEscaped(text: string, max: number): string {
	if (text.length <= max) return text;
	let cut = text.slice(0, max - 1);
	const trailing = /\\+$/.exec(cut)?.[0].length ?? 0;
	if (trailing % 2 === 1) cut = cut.slice(0, -1);
	return `${cut}…`;
}
