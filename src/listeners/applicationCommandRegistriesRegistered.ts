import { Events, Listener } from '@sapphire/framework';
import { failedRegistrations } from '../lib/discord/registration.js';
import { collectStartupGarbage } from '../lib/startup-garbage.js';

/** Tests, the playground and the benchmark wait for this line: keep its wording. */
export class ApplicationCommandRegistriesRegistered extends Listener<typeof Events.ApplicationCommandRegistriesRegistered> {
	public constructor(context: Listener.LoaderContext) {
		super(context, { event: Events.ApplicationCommandRegistriesRegistered, once: true });
	}

	public override run(_registries: unknown, timeTaken: number) {
		const sinceStart = Math.round(performance.now());
		if (failedRegistrations.size > 0) {
			this.container.logger.error(`Command registration failed for: ${[...failedRegistrations].join(', ')} (see the errors above).`);
			return;
		}
		this.container.logger.info(`Commands registered in ${Math.round(timeTaken)} ms (${sinceStart} ms after process start).`);
		// Start-up is over: servers have arrived (discord.js is ready before Sapphire registers) and commands are in.
		collectStartupGarbage();
	}
}
