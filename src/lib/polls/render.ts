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
	type APIButtonComponent,
	type APIComponentInMessageActionRow,
	type APIEmbed
} from 'discord.js';
import { buildCustomId, CustomIdPrefix } from '../custom-ids.js';
import type { Translator } from '../i18n/index.js';
import {
	PollListSections,
	type PollListPage,
	type PollOption,
	type PollRow,
	type PollState,
	type VoteOutcome,
	type VoteRecord
} from './repository.js';
import { countedOptions, runoffLines, runoffOf, runoffWinner } from './ranked-render.js';
import { countsVisible, PollLimits, voterListOpen, winners } from './rules.js';

export const PollColors = { open: 0x5865f2, closed: 0x4f545c } as const;
const barWidth = 10;

export interface PollMessage {
	readonly embeds: APIEmbed[];
	readonly components: APIActionRowComponent<APIComponentInMessageActionRow>[];
}

/** `chart`: the file name of a chart attached to the message, which the embed then shows. */
export function renderPollMessage(t: Translator, state: PollState, { chart }: { chart?: string } = {}): PollMessage {
	const embed = renderPollEmbed(t, state);
	return { embeds: [chart === undefined ? embed : { ...embed, image: { url: `attachment://${chart}` } }], components: renderComponents(t, state) };
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
export function renderPollEmbed(t: Translator, state: PollState): APIEmbed {
	const { poll } = state;
	const options = countedOptions(state);
	const visible = countsVisible(poll);
	const runoff = visible ? runoffOf(state) : null;
	// Shares of voters (a multiple-choice voter counts once per option); a weighted poll's of its weighted total.
	const base = poll.weighted ? options.reduce((sum, option) => sum + option.votes, 0) : poll.voterCount;
	const hiddenNote = t('polls:message.hidden');
	const title = t(poll.closedAt === null ? 'polls:message.title' : 'polls:message.titleClosed', { number: poll.number });
	const values = options.map((option) => (visible ? countLine(t, option.votes, base) : hiddenNote));
	let names = options.map((option) => fieldName(option, DiscordLimits.embedFieldName));
	const question = poll.editedAt === null ? poll.question : `${poll.question} ${t('life:editedMark')}`;
	const head = [question, '', ...settingsLines(t, poll)];
	const rounds =
		runoff === null || state.ballots?.length === 0
			? []
			: ['', `**${t('ballots:message.roundsTitle')}**`, ...runoffLines(t, state, runoff, 1_500), ''];
	const tail = [
		...rounds,
		visible && poll.maxChoices > 1
			? t('polls:message.votersAndChoices', { ...turnout(t, poll, options), creatorId: poll.creatorId })
			: t('polls:message.voters', { voters: visible ? formatCount(poll.voterCount, t) : hiddenNote, creatorId: poll.creatorId })
	];
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
	const fixed = title.length + sum(values) + [...head, ...tail].join('\n').length;
	let description = [...head, ...tail].join('\n');
	if (poll.closedAt !== null) {
		// "\n**" and "**": the winner line is one more line of the description, in bold.
		const room = Math.min(
			embedWinnerMax,
			DiscordLimits.embedTotal - fixed - sum(names) - 5,
			DiscordLimits.embedDescription - description.length - 5
		);
		const winner = pollWinnerLine(t, state, Math.max(room, minWinnerLine));
		description = [...head, `**${winner}**`, ...tail].join('\n');
	}
	const overflow = title.length + sum(values) + description.length + sum(names) - DiscordLimits.embedTotal;
	if (overflow > 0 && names.length > 0) {
		const perName = Math.floor((DiscordLimits.embedTotal - (title.length + sum(values) + description.length)) / names.length);
		names = options.map((option) => fieldName(option, perName));
	}
	return {
		title,
		description,
		color: poll.closedAt === null ? PollColors.open : PollColors.closed,
		// No footer: it only repeated the title's number, and the close time is in the description already.
		fields: names.map((name, position) => ({ name, value: values[position]! }))
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
		poll.ranked
			? t('ballots:message.ranked')
			: poll.maxChoices > 1
				? t('polls:message.pickUpTo', { max: poll.maxChoices })
				: t('polls:message.pickOne'),
		...(poll.weighted ? [t('ballots:message.weighted')] : []),
		...(poll.anonymous ? [t('polls:message.anonymous')] : []),
		// Once closed, every poll shows its results: "hidden until close" would describe the poll as it was.
		...(poll.hideResults && poll.closedAt === null ? [t('polls:message.resultsHidden')] : []),
		...(poll.roleId === null ? [] : [t('polls:message.onlyRole', { roleId: poll.roleId })])
	];
	return [settings.join(' · ')];
}

/**
 * An option's bar, count and share of the voters who picked it. Voters, not choices: in a multiple-choice poll two
 * voters making three choices gave "33%" each by choices, where each option was picked by half of them or all.
 */
export function countLine(t: Translator, votes: number, voters: number): string {
	const share = voters === 0 ? 0 : Math.min(votes / voters, 1);
	const filled = Math.round(share * barWidth);
	const count = t('polls:message.votes', { count: votes, formatted: formatCount(votes, t) });
	return `\`${'█'.repeat(filled)}${'░'.repeat(barWidth - filled)}\` ${count} · ${Math.round(share * 100)}%`;
}

/** The winner line of any poll: by instant runoff in a ranked poll, by weighted totals in a weighted one. */
export function pollWinnerLine(t: Translator, state: PollState, max = embedWinnerMax): string {
	const runoff = runoffOf(state);
	if (runoff === null) return winnerLine(t, countedOptions(state), max);
	const winner = runoffWinner(state, runoff);
	return winner === null ? t('polls:message.noVotes') : truncateEscaped(t('polls:message.winner', { name: escapeMarkdown(winner.label) }), max);
}

/**
 * `2 voters` and `3 choices`, for a poll where a voter may pick several options: there the counts add up to the
 * choices, not the voters, and both are worth saying.
 */
function turnout(t: Translator, poll: Pick<PollRow, 'voterCount'>, options: readonly PollOption[]): { voters: string; choices: string } {
	const choices = options.reduce((sum, option) => sum + option.votes, 0);
	return {
		voters: t('polls:message.voterCount', { count: poll.voterCount, formatted: formatCount(poll.voterCount, t) }),
		choices: t('polls:message.choiceCount', { count: choices, formatted: formatCount(choices, t) })
	};
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
	if (poll.ranked) {
		// A ranked poll is voted with the ballot the Rank button opens, on the row of the other buttons.
	} else if (usesButtons(poll)) {
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
			...(poll.ranked
				? [
						{
							type: ComponentType.Button as const,
							style: ButtonStyle.Success as const,
							custom_id: buildCustomId(CustomIdPrefix.PollRank, poll.guildId, poll.number),
							label: t('ballots:ballot.rank'),
							disabled
						}
					]
				: []),
			{
				type: ComponentType.Button,
				style: ButtonStyle.Primary,
				custom_id: buildCustomId(CustomIdPrefix.PollMine, poll.guildId, poll.number),
				label: t('polls:message.myVote'),
				// Never disabled: after the close is when voters most want to check what they picked (an anonymous
				// poll then answers that its votes are linked to nobody).
				disabled: false
			},
			{
				type: ComponentType.Button,
				style: ButtonStyle.Danger,
				custom_id: buildCustomId(CustomIdPrefix.PollClose, poll.guildId, poll.number),
				label: t('polls:message.close'),
				disabled
			},
			// Unlike the others, Voters stays usable once closed: `after_close` opens it only then.
			...(poll.showVoters === 'never'
				? []
				: [
						{
							type: ComponentType.Button as const,
							style: ButtonStyle.Secondary as const,
							custom_id: buildCustomId(CustomIdPrefix.PollVoters, poll.guildId, poll.number, 0),
							label: t('ballots:voters.button'),
							disabled: !voterListOpen(poll)
						}
					])
		]
	});
	return rows;
}

/** One button per option for a single-choice poll of up to 20 options; a select menu otherwise. */
export function usesButtons(poll: Pick<PollRow, 'maxChoices' | 'optionCount'>): boolean {
	return poll.maxChoices === 1 && poll.optionCount <= PollLimits.maxButtons;
}

/** The answer to **My vote**: what the member picked. */
export function describeChoices(t: Translator, poll: Pick<PollRow, 'number'>, labels: readonly string[], choices: readonly number[]): string {
	if (choices.length === 0) return t('polls:noVote', { number: poll.number });
	return t('polls:yourVote', { number: poll.number, choices: choiceNames(t, labels, choices, answerNamesMax) });
}

/** Room for the names in a vote's answer: the rest of its 2,000 characters is the sentence around them. */
const answerNamesMax = DiscordLimits.content - 200;

/**
 * The answer to a vote: what it did. A retraction or a change says so, since "You have no vote" after a click on
 * one's own option reads as if the vote had been lost.
 */
export function describeVote(t: Translator, outcome: Pick<VoteOutcome, 'number' | 'labels' | 'previousChoices' | 'choices' | 'changed'>): string {
	const { number, labels, previousChoices, choices } = outcome;
	if (!outcome.changed || previousChoices.length === 0) return describeChoices(t, outcome, labels, choices);
	if (choices.length === 0) return t('polls:voteRemoved', { number, choices: choiceNames(t, labels, previousChoices, answerNamesMax) });
	const half = Math.floor(answerNamesMax / 2);
	return t('polls:voteChanged', { number, before: choiceNames(t, labels, previousChoices, half), after: choiceNames(t, labels, choices, half) });
}

/**
 * `**Beach**, **Rooftop**`, markdown escaped, at most `max` characters: 25 long labels, escaped, would run past
 * Discord's 2,000 and Discord would refuse the whole answer although the vote counted, so as many names as fit,
 * then how many more.
 */
function choiceNames(t: Translator, labels: readonly string[], choices: readonly number[], max: number): string {
	const names = choices.map((index) => `**${escapedLabel(labels, index) ?? escapeMarkdown(t('polls:optionFallback', { position: index + 1 }))}**`);
	const listing = (shown: number) =>
		[...names.slice(0, shown), ...(shown < names.length ? [t('faults:moreChoices', { count: names.length - shown })] : [])].join(', ');
	for (let shown = names.length; shown > 1; shown--) {
		const text = listing(shown);
		if (text.length <= max) return text;
	}
	return truncate(listing(1), max);
}

/**
 * A poll's labels, markdown-escaped, by the labels array itself: the vote path's memory keeps one array per poll
 * (src/lib/polls/vote-caches.ts), so a hot poll's labels are escaped once instead of on every vote's answer (a dozen
 * regular expressions each). Arrays read fresh from the database are escaped each time, as before.
 */
const escapedLabels = new WeakMap<readonly string[], readonly string[]>();

function escapedLabel(labels: readonly string[], index: number): string | undefined {
	let escaped = escapedLabels.get(labels);
	if (escaped === undefined) {
		escaped = labels.map((label) => escapeMarkdown(label));
		escapedLabels.set(labels, escaped);
	}
	return escaped[index];
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
	const counted = countedOptions(state);
	const total = counted.reduce((sum, option) => sum + option.votes, 0);
	// As on the poll message: shares of voters, a weighted poll's of its weighted total.
	const base = poll.weighted ? total : poll.voterCount;
	const counts = counted.map((option) => {
		const line = `${option.index + 1}. ${escapeMarkdown(option.label)}: ${countLine(t, option.votes, base)}`;
		return poll.weighted
			? `${line} (${t('ballots:message.weightedCount', { weighted: formatCount(option.votes, t), raw: formatCount(options[option.index]!.votes, t) })})`
			: line;
	});
	const runoff = runoffOf(state);
	const rounds =
		runoff !== null && (state.ballots?.length ?? 0) > 0 ? [`**${t('ballots:message.roundsTitle')}**`, ...runoffLines(t, state, runoff, 900)] : [];
	const footer = [...rounds, ...(poll.closedAt === null ? [] : [pollWinnerLine(t, state, 500)])];
	const opening = [
		header,
		poll.maxChoices > 1
			? t('polls:results.votersAndChoices', turnout(t, poll, options))
			: t('polls:results.voters', { voters: formatCount(poll.voterCount, t) })
	];
	const andMore = (count: number) => t('polls:results.andMore', { count: formatCount(count, t) });
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
			// A ranked ballot's voter is listed under their first choice.
			voters.filter((vote) => vote.option === option.index && (vote.rank ?? 1) === 1).map((vote) => `<@${vote.userId}>`),
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

/** Polls on one page of `/poll list`: 8 lines of at most ~200 characters stay within a message's 2,000. */
export const pollListPageSize = 8;

/** The question as a line of `/poll list` shows it: cut to this, after escaping. */
const listQuestionMax = 60;

export interface PollListView {
	readonly guildId: string;
	/** From 0. */
	readonly page: number;
	readonly list: PollListPage;
}

/**
 * `/poll list`: one page of the server's polls, section by section (open, then closed, most recent first), each a
 * link to its message labelled with its question, with Previous/Next when there is more than one page.
 */
export function renderPollList(t: Translator, { guildId, page, list }: PollListView): PollListMessage {
	const total = PollListSections.reduce((sum, section) => sum + list.counts[section], 0);
	if (total === 0) return { content: t('polls:list.none'), components: [] };
	const pages = pollListPageCount(list.counts);
	const lines: string[] = [];
	for (const section of PollListSections) {
		const polls = list.polls.filter((poll) => poll.section === section);
		if (polls.length === 0) continue;
		if (lines.length > 0) lines.push('');
		lines.push(t(`polls:list.${section}`, { count: list.counts[section] }), ...polls.map((poll) => pollListLine(t, poll)));
	}
	if (pages > 1) lines.push('', t('polls:list.page', { page: page + 1, pages }));
	const content = truncate(lines.join('\n'), DiscordLimits.content);
	if (pages === 1) return { content, components: [] };
	const button = (label: string, target: number, disabled: boolean): APIButtonComponent => ({
		type: ComponentType.Button,
		style: ButtonStyle.Secondary,
		custom_id: buildCustomId(CustomIdPrefix.PollList, guildId, target),
		label,
		disabled
	});
	return {
		content,
		components: [
			{
				type: ComponentType.ActionRow,
				components: [
					// Two buttons never share an id: at the first page "previous" names page -1, which nobody can click.
					button(t('polls:list.previous'), page - 1, page === 0),
					button(t('polls:list.next'), page + 1, page + 1 >= pages)
				]
			}
		]
	};
}

export interface PollListMessage {
	readonly content: string;
	readonly components: APIActionRowComponent<APIButtonComponent>[];
}

export function pollListPageCount(counts: PollListPage['counts']): number {
	const total = PollListSections.reduce((sum, section) => sum + counts[section], 0);
	return Math.max(1, Math.ceil(total / pollListPageSize));
}

/** `**#12** [Question](link) · closes in 2 hours`; without a link when the poll's message is unknown. */
function pollListLine(t: Translator, poll: PollListPage['polls'][number]): string {
	// Brackets would end the link's label early; escaped (before the cut, so it stays within its length), Discord
	// shows them as written.
	const escaped = escapeMarkdown(poll.question.replace(/\s+/g, ' ')).replace(/[[\]]/g, '\\$&');
	const question = truncateEscaped(escaped, listQuestionMax);
	const label = poll.messageId === null ? question : `[${question}](${messageLink(poll)})`;
	const when =
		poll.closedAt !== null
			? ` · ${t('polls:list.closedAt', { relative: timestamp(poll.closedAt, 'R') })}`
			: poll.scheduledFor !== null
				? ` · ${t('life:list.scheduled', { date: timestamp(poll.scheduledFor, 'f'), relative: timestamp(poll.scheduledFor, 'R') })}`
				: poll.closesAt === null
					? ''
					: ` · ${t('polls:list.closes', { relative: timestamp(poll.closesAt, 'R') })}`;
	return `**#${poll.number}** ${label}${when}`;
}

/** The short reply in the channel when a poll closes: at most 2,000 characters, the link always whole. */
export function renderClosedNotice(t: Translator, state: PollState): string {
	const link = state.poll.messageId === null ? '' : ` ${messageLink(state.poll)}`;
	const opening = `${t('polls:closedNotice', { number: state.poll.number })} `;
	const winner = pollWinnerLine(t, state, DiscordLimits.content - opening.length - link.length);
	return truncate(`${opening}${winner}${link}`, DiscordLimits.content);
}

/** An autocomplete choice for the `poll` option. */
export function autocompleteChoice(t: Translator, poll: PollRow): { name: string; value: string } {
	const state =
		poll.closedAt !== null ? `${t('polls:autocompleteClosed')} ` : poll.scheduledFor === null ? '' : `${t('life:autocompleteScheduled')} `;
	const name = `#${poll.number} ${state}${poll.question}`;
	return { name: truncate(name.replace(/\s+/g, ' '), 100), value: String(poll.number) };
}

export function messageLink(poll: Pick<PollRow, 'guildId' | 'channelId' | 'messageId'>): string {
	return `https://discord.com/channels/${poll.guildId}/${poll.channelId}/${poll.messageId ?? ''}`;
}

export function timestamp(date: Date, style: 'f' | 'R'): string {
	return `<t:${Math.floor(date.getTime() / 1000)}:${style}>`;
}

/**
 * 1234567 → "1,234,567" in English, "1.234.567" in German, "1 234 567" in French: the language's own digit grouping,
 * from its message tree (`common:number.group`). Not `toLocaleString`: the first use of Intl maps about 7 MB of ICU
 * data into the process (measured), for what one character per language does.
 */
export function formatCount(count: number, t?: Translator): string {
	const group = t === undefined ? ',' : t('common:number.group');
	return String(Math.trunc(count)).replace(/\B(?=(\d{3})+(?!\d))/g, group);
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
