import { Events, Listener } from '@sapphire/framework';
import type { Interaction } from 'discord.js';
import { answersInPublic, armDeferral, noteClockStart } from '../lib/discord/acknowledge.js';
import { rememberOwnerLocale } from '../lib/settings/service.js';

/**
 * What every interaction gets on arrival, in this order, in one listener (each Sapphire listener costs every vote a
 * wrapped, awaited call of its own):
 * 1. when its 3 s began is noted (src/lib/discord/acknowledge.ts);
 * 2. it is tracked, so that shutdown waits until it has been answered;
 * 3. a slash command's deferral is armed, which keeps it within Discord's 3 s (a button handler arms its own);
 * 4. an owner's client language is recorded when it changed, for the approval DMs sent with no interaction.
 */
export class InteractionArrived extends Listener<typeof Events.InteractionCreate> {
	public constructor(context: Listener.LoaderContext) {
		super(context, { event: Events.InteractionCreate });
	}

	public override run(interaction: Interaction) {
		noteClockStart(interaction);
		this.container.inFlight.track(interaction);
		if (interaction.isChatInputCommand()) {
			// A command the bot does not have is answered at once by the unknown-command path, never deferred.
			const command = this.container.stores.get('commands').get(interaction.commandName);
			if (command) armDeferral(interaction, answersInPublic(command, interaction));
		}
		rememberOwnerLocale(interaction.user.id, interaction.locale);
	}
}
