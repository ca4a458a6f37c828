import { Events, Listener, type ChatInputCommandDeniedPayload, type UserError } from '@sapphire/framework';
import { answerFailure } from '../../lib/discord/answers.js';

export class ChatInputCommandDenied extends Listener<typeof Events.ChatInputCommandDenied> {
	public override run(error: UserError, { interaction }: ChatInputCommandDeniedPayload) {
		return answerFailure(interaction, error);
	}
}
