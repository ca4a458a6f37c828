/**
 * Role weights for weighted polls: a server's rules (`/settings weight`), checked and stored here. The weight a vote
 * counts with is looked up by the vote statement itself (migrations/011_vote_statement.js), so a vote stays one round trip.
 */
import { container } from '@sapphire/framework';
import { Failure, message, refuse, type Message } from '../failures.js';
import { listRoleWeights, setRoleWeight } from './repository.js';
import type { Viewer } from './rules.js';

export const WeightLimits = { min: 1, max: 100 } as const;

export interface WeightRequest {
	readonly guildId: string;
	readonly roleId: string;
	readonly weight: number;
}

/** Sets (or, with weight 1, removes) a role's weight; Manage Server only. Returns the confirmation to show. */
export async function setWeight(actor: Viewer, request: WeightRequest): Promise<Message> {
	if (!actor.manageGuild) refuse(Failure.SettingsForbidden, message('ballots:settings.mayNotChange'));
	const { weight } = request;
	if (!Number.isInteger(weight) || weight < WeightLimits.min || weight > WeightLimits.max) {
		refuse(Failure.InvalidInput, message('ballots:settings.weightRange', { value: weight }));
	}
	// @everyone's id is the server's: no member lists it among their roles, so a weight on it would never apply.
	if (request.roleId === request.guildId) refuse(Failure.InvalidInput, message('ballots:settings.weightEveryone'));
	await setRoleWeight(container.sql, request.guildId, request.roleId, weight);
	return weight === 1
		? message('ballots:settings.weightRemoved', { roleId: request.roleId })
		: message('ballots:settings.weightSet', { roleId: request.roleId, weight });
}

export function listWeights(guildId: string) {
	return listRoleWeights(container.sql, guildId);
}
