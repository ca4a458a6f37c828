/**
 * What a vote remembers between votes so that it stays one round trip: the option labels of polls voted in (only
 * `/poll edit` changes them, and forgets them here), and anonymous polls' salts (a salt never changes while its poll is open; see
 * {@link RecentSalts}). Both are bounded; losing them costs one more round trip, never a wrong vote.
 */
import { RecentSalts } from './anonymity.js';
import { pollKey, type PollRef } from './ref.js';
import type { VoteMemory } from './repository.js';

const labelsMax = 1_000;

class VoteCaches implements VoteMemory {
	public readonly salts = new RecentSalts();
	private readonly labels = new Map<string, readonly string[]>();

	public labelsOf(poll: PollRef): readonly string[] | undefined {
		return this.labels.get(pollKey(poll));
	}

	public rememberLabels(poll: PollRef, labels: readonly string[]): readonly string[] {
		if (this.labels.size >= labelsMax) this.labels.delete(this.labels.keys().next().value!);
		this.labels.set(pollKey(poll), labels);
		return labels;
	}

	public saltOf(poll: PollRef): Buffer | null {
		return this.salts.get(pollKey(poll));
	}

	public rememberSalt(poll: PollRef, salt: Buffer) {
		this.salts.set(pollKey(poll), salt);
	}

	/** The poll's options were edited: the labels remembered are not its labels any more. */
	public forgetLabels(poll: PollRef) {
		this.labels.delete(pollKey(poll));
	}

	/** The poll closed: its salt was wiped in the database, so it must not outlive it here. */
	public forgetClosed(poll: PollRef) {
		this.salts.forget(pollKey(poll));
	}
}

export const voteCaches = new VoteCaches();
