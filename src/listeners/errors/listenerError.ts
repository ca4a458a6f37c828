import { Events, Listener, type ListenerErrorPayload } from '@sapphire/framework';

export class ListenerError extends Listener<typeof Events.ListenerError> {
	public override run(error: unknown, { piece }: ListenerErrorPayload) {
		this.container.logger.error(`Listener "${piece.name}" failed:`, error);
	}
}
