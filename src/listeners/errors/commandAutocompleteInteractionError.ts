import { Events, Listener, type AutocompleteInteractionPayload } from '@sapphire/framework';
import { answerFailure } from '../../lib/discord/answers.js';

export class CommandAutocompleteInteractionError extends Listener<typeof Events.CommandAutocompleteInteractionError> {
	public override run(error: unknown, { interaction }: AutocompleteInteractionPayload) {
		return answerFailure(interaction, error);
	}
}
