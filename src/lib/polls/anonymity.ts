import { createHmac, randomBytes } from 'node:crypto';

/**
 * How an anonymous poll stores its voters: not the user id, but HMAC-SHA256(user id) under a random salt kept in the
 * poll's row while it is open. The key still gives one vote per member (the same member always maps to the same
 * key), so exactness and "change or retract your vote" keep working. Closing the poll wipes the salt (and vote
 * times), after which nobody can tell whose key is whose.
 */
export function newVoterSalt(): Buffer {
	return randomBytes(32);
}

export function anonymousVoterKey(salt: Uint8Array, userId: string): string {
	return createHmac('sha256', salt).update(userId).digest('base64url');
}

/**
 * The salts of anonymous polls this process voted in within the last {@link ttlMs}, so that a vote in an anonymous
 * poll needs one round trip like any other (the voter key is computed before the vote statement). A salt never
 * changes while its poll is open; each entry is dropped after a fixed lifetime, not refreshed by use, and at once when
 * its poll is seen closed, so that a salt the database wiped on close does not outlive it here for long.
 */
export class RecentSalts {
	private readonly entries = new Map<string, { salt: Buffer; timer: NodeJS.Timeout }>();

	public constructor(
		private readonly ttlMs = 10_000,
		private readonly maxEntries = 1_000
	) {}

	public get(key: string): Buffer | null {
		return this.entries.get(key)?.salt ?? null;
	}

	public set(key: string, salt: Buffer) {
		if (this.entries.has(key)) return;
		if (this.entries.size >= this.maxEntries) this.forget(this.entries.keys().next().value!);
		const timer = setTimeout(() => this.entries.delete(key), this.ttlMs).unref();
		this.entries.set(key, { salt, timer });
	}

	public forget(key: string) {
		const entry = this.entries.get(key);
		if (!entry) return;
		clearTimeout(entry.timer);
		this.entries.delete(key);
	}
}
