import { Events, Listener, type InteractionHandlerError as Payload } from '@sapphire/framework';
import { answerFailure } from '../../lib/discord/answers.js';

export class InteractionHandlerError extends Listener<typeof Events.InteractionHandlerError> {
	public override run(error: unknown, { interaction }: Payload) {
		return answerFailure(interaction, error);
	}
}
