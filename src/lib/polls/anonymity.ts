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
