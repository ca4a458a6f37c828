import { ApplyOptions } from '@sapphire/decorators';
import { InteractionHandler, InteractionHandlerTypes } from '@sapphire/framework';
import { MessageFlags, type ButtonInteraction } from 'discord.js';
import { assertAccess, requesterOf } from '../lib/access.js';
import { CustomIdPrefix, parseCustomId } from '../lib/custom-ids.js';
import { armDeferral, respond } from '../lib/discord/acknowledge.js';
import { Failure, message, refuse } from '../lib/failures.js';
import { readerTranslator } from '../lib/i18n/readers.js';
import { claimOrStandDown } from '../lib/interaction-claims.js';
import { closeByMember, findOwnChoices, listPolls, openBallot, readVoterPage } from '../lib/polls/actions.js';
import type { PollComponent, PollComponentId } from '../lib/polls/custom-ids.js';
import { actorOf, readPollComponent } from '../lib/polls/interactions.js';
import { describeBallot } from '../lib/polls/ranked-render.js';
import { describeChoices, renderPollList } from '../lib/polls/render.js';
import { answerVote } from '../lib/polls/vote-answer.js';
import { renderVoterPage } from '../lib/polls/voters.js';
import { snowflakePattern } from '../lib/snowflake.js';

type Parsed =
	| { readonly kind: Exclude<PollComponent, 'select' | 'ballot'>; readonly id: PollComponentId }
	| { readonly kind: 'listPage'; readonly guildId: string; readonly page: number };

/**
 * A poll message's buttons: an option (vote or retract), **Rank**, **My vote**, **Close**, and **Voters** with its
 * pages; and Previous/Next under `/poll list`. One handler for all: Sapphire asks every button handler to parse every
 * click, and a vote is the click that must cost least.
 */
@ApplyOptions<InteractionHandler.Options>({ interactionHandlerType: InteractionHandlerTypes.Button })
export class PollButtonsHandler extends InteractionHandler {
	public override async parse(interaction: ButtonInteraction) {
		for (const kind of ['vote', 'mine', 'close', 'rank', 'voters'] as const) {
			const id = await readPollComponent(interaction, kind);
			if (id !== null) return this.some<Parsed>({ kind, id });
		}
		const page = await readListPage(interaction);
		return page === null ? this.none() : this.some<Parsed>(page);
	}

	public override async run(interaction: ButtonInteraction, parsed: Parsed) {
		const t = readerTranslator(interaction);
		if (parsed.kind === 'listPage') {
			const view = await listPolls(parsed.guildId, parsed.page);
			return interaction.update({ ...renderPollList(t, view), allowedMentions: { parse: [] } });
		}
		const { kind, id } = parsed;
		switch (kind) {
			case 'vote':
				return answerVote(interaction, id, { kind: 'toggle', option: id.option ?? -1 });
			case 'mine': {
				armDeferral(interaction, false);
				const { poll, labels, choices } = await findOwnChoices(id, interaction.user.id);
				return respond(interaction, {
					content: (poll.ranked ? describeBallot : describeChoices)(t, poll, labels, choices),
					flags: MessageFlags.Ephemeral,
					allowedMentions: { parse: [] }
				});
			}
			case 'close':
				armDeferral(interaction, false);
				await claimOrStandDown(this.container.sql, interaction.id);
				return closeByMember(id, actorOf(interaction), {
					reason: 'button',
					confirm: (closed) =>
						respond(interaction, { content: t('polls:closedNow', { number: closed.number }), flags: MessageFlags.Ephemeral })
				});
			case 'rank':
				return interaction.showModal(await openBallot(id, interaction.user.id, t));
			case 'voters': {
				const page = renderVoterPage(t, await readVoterPage(id, id.option ?? 0));
				// The pages' own buttons turn the page in place; the poll message's button opens the list.
				if (interaction.message.flags.has(MessageFlags.Ephemeral)) return interaction.update({ ...page, allowedMentions: { parse: [] } });
				return interaction.reply({ ...page, flags: MessageFlags.Ephemeral, allowedMentions: { parse: [] } });
			}
		}
	}
}

/** Previous/Next under `/poll list`, `null` for another button; a malformed or cross-server page is refused. */
async function readListPage(interaction: ButtonInteraction): Promise<Extract<Parsed, { kind: 'listPage' }> | null> {
	const parts = parseCustomId(interaction.customId, CustomIdPrefix.PollList);
	if (parts === null) return null;
	await assertAccess(requesterOf(interaction), 'approvedGuild');
	const [guildId = '', pageText = '', ...rest] = parts;
	if (!snowflakePattern.test(guildId) || !/^\d{1,6}$/.test(pageText) || rest.length > 0) {
		refuse(Failure.ComponentMalformed, message('polls:componentMalformed'));
	}
	if (interaction.guildId !== guildId) refuse(Failure.ComponentOtherServer, message('polls:componentOtherServer'));
	return { kind: 'listPage', guildId, page: Number(pageText) };
}
