import { setTimeout as sleep } from 'node:timers/promises';
import type { Interaction } from 'discord.js';

/** Discord forgets an interaction not answered within 3 s: nothing is left to wait for after that. */
const answerDeadlineMs = 3_000;

/** How often `track` drops the interactions already answered, so the set holds about what is in flight. */
const pruneEvery = 32;

/**
 * Interactions received and not yet answered, so that shutdown can let them finish before the process exits.
 * Answering (reply, defer, update or autocomplete response) is what Discord waits for; work after it may be lost.
 */
export class InFlightInteractions {
	private readonly pending = new Set<Interaction>();
	private trackedSincePrune = 0;

	public track(interaction: Interaction) {
		this.pending.add(interaction);
		// Without this, every interaction (and the message a component carries) stayed referenced until shutdown.
		if (++this.trackedSincePrune >= pruneEvery) this.prune();
	}

	public get size() {
		this.prune();
		return this.pending.size;
	}

	/** Resolves when every tracked interaction has been answered, or after `timeoutMs`. */
	public async drain(timeoutMs: number) {
		const deadline = Date.now() + timeoutMs;
		while (this.size > 0 && Date.now() < deadline) await sleep(20);
	}

	private prune() {
		this.trackedSincePrune = 0;
		const expired = Date.now() - answerDeadlineMs;
		for (const interaction of this.pending) {
			if (isAnswered(interaction) || interaction.createdTimestamp < expired) this.pending.delete(interaction);
		}
	}
}

function isAnswered(interaction: Interaction) {
	if (interaction.isAutocomplete()) return interaction.responded;
	return interaction.replied || interaction.deferred;
}
