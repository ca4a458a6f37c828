import { Events, Listener } from '@sapphire/framework';
import type { Interaction } from 'discord.js';
import { answersInPublic, armDeferral, noteClockStart } from '../lib/discord/acknowledge.js';

/**
 * Notes when each interaction's 3 s began, and arms the deferral that keeps every slash command within Discord's 3 s
 * (src/lib/discord/acknowledge.ts); a button handler arms its own.
 */
export class AcknowledgeInTime extends Listener<typeof Events.InteractionCreate> {
	public constructor(context: Listener.LoaderContext) {
		super(context, { event: Events.InteractionCreate });
	}

	public override run(interaction: Interaction) {
		noteClockStart(interaction);
		if (!interaction.isChatInputCommand()) return;
		// A command the bot does not have is answered at once by the unknown-command path, never deferred.
		const command = this.container.stores.get('commands').get(interaction.commandName);
		if (command) armDeferral(interaction, answersInPublic(command, interaction));
	}
}
