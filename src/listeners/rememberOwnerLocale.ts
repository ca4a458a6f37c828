import { Events, Listener } from '@sapphire/framework';
import type { Interaction } from 'discord.js';
import { isOwner } from '../lib/access.js';
import { shippedLocale } from '../lib/i18n/readers.js';
import { saveOwnerLocale } from '../lib/settings/repository.js';

/**
 * Records an owner's client language when it changes: approval DMs are sent unasked, with no interaction to take a
 * language from, so they use the owner's last-seen one. Only a change is written, once per process.
 */
export class RememberOwnerLocale extends Listener<typeof Events.InteractionCreate> {
	private readonly recorded = new Map<string, string>();

	public constructor(context: Listener.LoaderContext) {
		super(context, { event: Events.InteractionCreate });
	}

	public override async run(interaction: Interaction) {
		const locale = shippedLocale(interaction.locale);
		if (locale === null || !isOwner(interaction.user.id) || this.recorded.get(interaction.user.id) === locale) return;
		this.recorded.set(interaction.user.id, locale);
		try {
			await saveOwnerLocale(this.container.sql, interaction.user.id, locale);
		} catch (error) {
			// Not worth failing anything for: the next interaction tries again.
			this.recorded.delete(interaction.user.id);
			this.container.logger.warn(`Could not record owner ${interaction.user.id}'s language:`, error);
		}
	}
}
