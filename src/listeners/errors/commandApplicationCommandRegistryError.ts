import { Events, Listener, type Command } from '@sapphire/framework';

export class CommandApplicationCommandRegistryError extends Listener<typeof Events.CommandApplicationCommandRegistryError> {
	public override run(error: unknown, command: Command) {
		this.container.logger.error(`Registering the command "${command.name}" failed:`, error);
	}
}
