import { Events, Listener, type InteractionHandlerParseError as Payload } from '@sapphire/framework';
import { answerFailure } from '../../lib/discord/answers.js';

export class InteractionHandlerParseError extends Listener<typeof Events.InteractionHandlerParseError> {
	public override run(error: unknown, { interaction }: Payload) {
		return answerFailure(interaction, error);
	}
}
