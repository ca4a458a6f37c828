import type { DecisionRefusal } from './repository.js';
import type { Decision, GuildStatus } from './rules.js';

/** Why an owner's decision changed nothing, in words. */
export function refusalMessage(refusal: DecisionRefusal, input: { guildId: string; decision: Decision }, current?: GuildStatus): string {
	switch (refusal) {
		case 'unknown':
			return `I have no record of a server with id ${input.guildId}. Use \`/admin servers\` to see the servers I know.`;
		case 'unchanged':
			return `Server ${input.guildId} is already ${current ?? 'in that state'}.`;
		case 'forbidden':
			return `Server ${input.guildId} is ${current ?? 'in a state'} that \`${input.decision}\` does not apply to.`;
	}
}
