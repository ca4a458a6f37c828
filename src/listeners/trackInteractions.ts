import { Events, Listener } from '@sapphire/framework';
import type { Interaction } from 'discord.js';

/** Notes each interaction so that shutdown can wait until it has been answered. */
export class TrackInteractions extends Listener<typeof Events.InteractionCreate> {
	public constructor(context: Listener.LoaderContext) {
		super(context, { event: Events.InteractionCreate });
	}

	public override run(interaction: Interaction) {
		this.container.inFlight.track(interaction);
	}
}
